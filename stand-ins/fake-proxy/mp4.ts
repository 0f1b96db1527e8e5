// A small MP4 that really plays: one 16×16 H.264 frame of a solid colour, shown for a second.
// The frame is a single I_PCM macroblock (raw samples, ITU-T H.264 §7.3.5, mb_type 25), so no
// encoder is needed; the container is the minimal ISO BMFF a browser or Discord's player reads
// (ftyp, moov with one avc1 track and its avcC, mdat). ISO/IEC 14496-12 and 14496-15.

class Bits {
  readonly #bytes: number[] = [];
  #cur = 0;
  #n = 0;

  u(value: number, width: number): this {
    for (let i = width - 1; i >= 0; i--) this.bit((value >>> i) & 1);
    return this;
  }
  bit(b: number): this {
    this.#cur = (this.#cur << 1) | b;
    if (++this.#n === 8) {
      this.#bytes.push(this.#cur);
      this.#cur = 0;
      this.#n = 0;
    }
    return this;
  }
  /** Exp-Golomb ue(v). */
  ue(v: number): this {
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    return this.u(0, len).u(x, len + 1);
  }
  /** se(v). */
  se(v: number): this {
    return this.ue(v <= 0 ? -2 * v : 2 * v - 1);
  }
  align(): this {
    while (this.#n !== 0) this.bit(0);
    return this;
  }
  bytes(list: number[]): this {
    for (const b of list) this.u(b, 8);
    return this;
  }
  /** rbsp_trailing_bits(): a one, then zeros to the byte boundary. */
  trailing(): Buffer {
    this.bit(1).align();
    return Buffer.from(this.#bytes);
  }
}

/** NAL unit: its header byte, then the payload with emulation prevention (00 00 0x → 00 00 03 0x). */
function nal(header: number, rbsp: Buffer): Buffer {
  const out: number[] = [header];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Buffer.from(out);
}

const PROFILE = 66; // Baseline
const COMPAT = 0xc0; // constraint_set0 and set1: constrained baseline
const LEVEL = 10;

function sps(): Buffer {
  const b = new Bits().u(PROFILE, 8).u(COMPAT, 8).u(LEVEL, 8);
  b.ue(0); // seq_parameter_set_id
  b.ue(0); // log2_max_frame_num_minus4
  b.ue(2); // pic_order_cnt_type 2
  b.ue(1); // max_num_ref_frames
  b.bit(0); // gaps_in_frame_num_value_allowed_flag
  b.ue(0).ue(0); // one macroblock wide and high
  b.bit(1).bit(1).bit(0).bit(0); // frame_mbs_only, direct_8x8_inference, no cropping, no VUI
  return nal(0x67, b.trailing());
}

function pps(): Buffer {
  const b = new Bits().ue(0).ue(0); // pic_parameter_set_id, seq_parameter_set_id
  b.bit(0).bit(0); // CAVLC, no bottom_field_pic_order_in_frame
  b.ue(0).ue(0).ue(0); // one slice group, one reference each way
  b.bit(0).u(0, 2); // no weighted prediction
  b.se(0).se(0).se(0); // pic_init_qp, pic_init_qs, chroma_qp_index_offset
  b.bit(0).bit(0).bit(0); // no deblocking control, no constrained intra, no redundant_pic_cnt
  return nal(0x68, b.trailing());
}

/** An IDR slice of one I_PCM macroblock filled with `yuv`. */
function idr([y, u, v]: readonly [number, number, number]): Buffer {
  const b = new Bits();
  b.ue(0); // first_mb_in_slice
  b.ue(7); // slice_type: I (all slices)
  b.ue(0); // pic_parameter_set_id
  b.u(0, 4); // frame_num
  b.ue(0); // idr_pic_id
  b.bit(0).bit(0); // dec_ref_pic_marking: no_output_of_prior_pics, not long-term
  b.se(0); // slice_qp_delta
  b.ue(25); // mb_type I_PCM
  b.align(); // pcm_alignment_zero_bit
  b.bytes(new Array(256).fill(y)).bytes(new Array(64).fill(u)).bytes(new Array(64).fill(v));
  return nal(0x65, b.trailing());
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const box = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length + 8), Buffer.from(type, 'latin1'), body]);
};
const full = (type: string, version: number, flags: number, ...parts: Buffer[]) => box(type, u32((version << 24) | flags), ...parts);
const zeros = (n: number) => Buffer.alloc(n);
const MATRIX = Buffer.concat([0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000].map(u32));

const SIZE = 16;
const TIMESCALE = 1000;
const DURATION = 1000;

/** A playable one-second MP4 of a 16×16 solid colour given in YUV (BT.601: red is [81, 90, 240]). */
export function encodeMp4(yuv: readonly [number, number, number] = [81, 90, 240]): Buffer {
  const s = sps();
  const p = pps();
  const frame = idr(yuv);
  const sample = Buffer.concat([u32(frame.length), frame]);
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), u32(0x200), Buffer.from('isomiso2avc1mp41', 'latin1'));

  const moovWith = (chunkOffset: number) => {
    const avcC = box('avcC', Buffer.from([1, PROFILE, COMPAT, LEVEL, 0xff, 0xe1]), u16(s.length), s, Buffer.from([1]), u16(p.length), p);
    const avc1 = box(
      'avc1',
      zeros(6), u16(1), // reserved, data_reference_index
      zeros(16), // pre_defined, reserved, pre_defined[3]
      u16(SIZE), u16(SIZE), u32(0x00480000), u32(0x00480000), zeros(4), u16(1),
      zeros(32), // compressorname
      u16(0x18), u16(0xffff),
      avcC,
    );
    const stbl = box(
      'stbl',
      full('stsd', 0, 0, u32(1), avc1),
      full('stts', 0, 0, u32(1), u32(1), u32(DURATION)),
      full('stss', 0, 0, u32(1), u32(1)),
      full('stsc', 0, 0, u32(1), u32(1), u32(1), u32(1)),
      full('stsz', 0, 0, u32(0), u32(1), u32(sample.length)),
      full('stco', 0, 0, u32(1), u32(chunkOffset)),
    );
    const minf = box('minf', full('vmhd', 0, 1, zeros(8)), box('dinf', full('dref', 0, 0, u32(1), full('url ', 0, 1))), stbl);
    const mdia = box(
      'mdia',
      full('mdhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(DURATION), u16(0x55c4), u16(0)), // language "und"
      full('hdlr', 0, 0, u32(0), Buffer.from('vide', 'latin1'), zeros(12), Buffer.from('VideoHandler\0', 'latin1')),
      minf,
    );
    const tkhd = full('tkhd', 0, 3, u32(0), u32(0), u32(1), zeros(4), u32(DURATION), zeros(8), u16(0), u16(0), u16(0), zeros(2), MATRIX, u32(SIZE << 16), u32(SIZE << 16));
    const mvhd = full('mvhd', 0, 0, u32(0), u32(0), u32(TIMESCALE), u32(DURATION), u32(0x00010000), u16(0x0100), zeros(10), MATRIX, zeros(24), u32(2));
    return box('moov', mvhd, box('trak', tkhd, mdia));
  };
  const moovSize = moovWith(0).length;
  const moov = moovWith(ftyp.length + moovSize + 8);
  return Buffer.concat([ftyp, moov, box('mdat', sample)]);
}
