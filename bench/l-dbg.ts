console.log('start');
const m = await import('/work/wt-l/bench/resume.ts');
console.log('imported');
const f = await m.measureResume((process.env.S ?? 'sqlite') as any, Number(process.env.N ?? 200), (process.env.F ?? '').split(' ').filter(Boolean));
console.log(f);
process.exit(0);
