// The failover allow-list (src/proxy/failover.ts): a new job's submit goes on to the next backend
// only when the backend surely did not take it. Every other answer may have been taken (and would
// be paid twice), and a banned prompt is the user's answer.
import { describe, expect, it } from 'vitest';
import { ProxyError, codeFromProxy, type ProxyErrorContext } from '../../src/proxy/errors.ts';
import { failoverReason } from '../../src/proxy/failover.ts';
import { laneOf, splitLane } from '../../src/proxy/lanes.ts';
import { pickWeighted } from '../../src/proxy/pool.ts';

const route = '/mj/submit/imagine';
/** The error the client makes of a SubmitResultVO with this code and description. */
const answered = (proxyCode: number, description: string, status = 200) => new ProxyError(codeFromProxy(proxyCode, description), { route, status, proxyCode, description });
const wire = (code: 'UNAVAILABLE' | 'TIMEOUT', ctx: Partial<ProxyErrorContext>) => new ProxyError(code, { route, ...ctx });

describe('failoverReason', () => {
  it.each([
    // Surely not taken: the next backend gets it at once.
    ['connection refused before a byte was written', wire('UNAVAILABLE', { unsent: true, detail: 'ECONNREFUSED connect 127.0.0.1:9' }), 'not-sent'],
    ['DNS failure before a byte was written', wire('UNAVAILABLE', { unsent: true, detail: 'ENOTFOUND getaddrinfo relay.example' }), 'not-sent'],
    ['a connect timeout before a byte was written', wire('TIMEOUT', { unsent: true }), 'not-sent'],
    ['HTTP 429 without a body', new ProxyError('RATE_LIMITED', { route, status: 429 }), 'rate-limited'],
    ['new-api code 30 (HTTP 429)', answered(30, '当前分组负载已饱和', 429), 'rate-limited'],
    ['code 3 no available account', answered(3, '无可用的账号实例'), 'no-account'],
    ['code 3 in English', answered(3, 'no available account instance'), 'no-account'],
    ['code 23 queue rejected', answered(23, '队列已满，请稍后尝试'), 'queue-full'],
    ['trueai code 9 with the queue-full text', answered(9, '提交失败，队列已满，请稍后重试'), 'queue-full'],
    ['code 4 concurrency limit', answered(4, '并发数已达上限'), 'backend-limit'],
    ['code 4 queue count limit', answered(4, '队列数已达上限'), 'backend-limit'],
    ['code 4 the key’s daily limit', answered(4, '用户今日绘图次数已达上限'), 'backend-limit'],
    ['code 4 service unavailable', answered(4, '服务暂不可用，请联系管理员'), 'backend-limit'],
    ['code 4 a relay’s quota', answered(4, 'quota_not_enough', 400), 'backend-limit'],
    ['code 4 a new-api key’s quota used up', answered(4, '令牌额度已用尽'), 'backend-limit'],
    // May have been taken, or the user's own answer: never sent elsewhere.
    ['a connection dropped after the body was written', wire('UNAVAILABLE', { detail: 'UND_ERR_SOCKET other side closed' }), null],
    ['a timeout after the body was written (searched, not found)', new ProxyError('POSSIBLY_TAKEN', { route, searchable: true }), null],
    ['HTTP 500', new ProxyError('HTTP_5XX', { route, status: 500 }), null],
    ['HTTP 502 from a gateway', new ProxyError('HTTP_5XX', { route, status: 502 }), null],
    ['a 5xx whose body says code 3', answered(3, '无可用的账号实例', 503), null],
    ['a body that cannot be read', new ProxyError('MALFORMED', { route, status: 200 }), null],
    ['relay code 5 (its own transport error: the upstream may have it)', answered(5, 'do_request_failed', 400), null],
    ['code 9 system error', answered(9, '提交失败，系统异常'), null],
    ['code 24 banned prompt', answered(24, '可能包含敏感词'), null],
    ['code 4 locked for banned words', answered(4, '账号已被临时封锁，请勿使用违规词作图'), null],
    ['code 4 a bad parameter', answered(4, 'prompt不能为空'), null],
    ['code 4 unknown action', answered(4, '未知的 Action 类型'), null],
    ['HTTP 401 (the key refused)', new ProxyError('UNAUTHORIZED', { route, status: 401 }), null],
    ['the bot is stopping', new ProxyError('INTERRUPTED', { route }), null],
    ['not a ProxyError', new Error('boom'), null],
  ])('%s → %s', (_what, err, reason) => {
    expect(failoverReason(err)).toBe(reason);
  });
});

describe('pickWeighted (smooth weighted round-robin)', () => {
  it('spreads picks by weight, evenly, and the same way every time', () => {
    const members = [{ spec: { name: 'a', weight: 5 } }, { spec: { name: 'b', weight: 1 } }, { spec: { name: 'c', weight: 1 } }];
    const current = new Map<string, number>();
    const picks = Array.from({ length: 7 }, () => pickWeighted(members, current)!.spec.name);
    expect(picks).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
    expect(pickWeighted([], current)).toBeUndefined();
  });

  it('a turn that failed (the pool goes on to the others) costs the backend no more than a turn it took', () => {
    const a = { spec: { name: 'a', weight: 5 } };
    const b = { spec: { name: 'b', weight: 1 } };
    /** A new job as the pool routes it: the pick, and after a refusal the pick among the rest. */
    const job = (current: Map<string, number>, down: boolean) => {
      const first = pickWeighted([a, b], current)!;
      return first === b && down ? pickWeighted([a], current)!.spec.name : first.spec.name;
    };
    const up = new Map<string, number>();
    const wasDown = new Map<string, number>();
    const upPicks = Array.from({ length: 18 }, () => job(up, false));
    const downPicks = Array.from({ length: 18 }, () => job(wasDown, true));
    expect(upPicks.filter((n) => n === 'b')).toHaveLength(3);
    expect(downPicks.filter((n) => n === 'b')).toHaveLength(0);
    // Back up: both have b's next turn at the same job.
    expect(wasDown).toEqual(up);
    const next = Array.from({ length: 6 }, () => job(up, false));
    expect(Array.from({ length: 6 }, () => job(wasDown, false))).toEqual(next);
    expect(next).toContain('b');
  });
});

describe('lanes', () => {
  it('keeps the default backend’s lanes as they were named before several backends', () => {
    expect(laneOf('default', undefined, ['fast'])).toBe('default');
    expect(laneOf('default', 'fast', ['fast'])).toBe('fast');
    expect(laneOf('default', 'gone', ['fast'])).toBe('default');
    expect(laneOf('home', 'fast', ['fast'])).toBe('home/fast');
    expect(laneOf('home', 'relax', ['fast'])).toBe('home');
    expect(splitLane('fast', ['fast'])).toEqual({ backend: 'default', mode: 'fast' });
    expect(splitLane('home/fast', ['fast'])).toEqual({ backend: 'home', mode: 'fast' });
    expect(splitLane('home', ['fast'])).toEqual({ backend: 'home' });
  });
});
