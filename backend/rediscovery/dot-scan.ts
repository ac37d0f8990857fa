/**
 * Dot products of one query vector with every row of a matrix: the inner loop of exact vector search. The rows
 * live in a WebAssembly memory and a 128-bit SIMD kernel (4 float32 lanes, two accumulators) does the scan, about
 * twice as fast as the best plain JavaScript loop on this machine (100,000 × 256: ~19 ms against ~35 ms). Where
 * WebAssembly SIMD is missing, or the dimension is not a multiple of 8, the same rows are scanned in JavaScript.
 *
 * The kernel, in WebAssembly text format (`$mat`, `$q`, `$out` are byte offsets into the memory):
 *
 *   (func (export "scan") (param $mat i32) (param $n i32) (param $d i32) (param $q i32) (param $out i32)
 *     (local $i i32) (local $j i32) (local $row i32) (local $bytes i32) (local $a v128) (local $b v128)
 *     (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
 *     (local.set $row (local.get $mat))
 *     (block $done (loop $rows
 *       (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
 *       (local.set $a (v128.const i32x4 0 0 0 0)) (local.set $b (v128.const i32x4 0 0 0 0))
 *       (local.set $j (i32.const 0))
 *       (block $end (loop $cols
 *         (br_if $end (i32.ge_u (local.get $j) (local.get $bytes)))
 *         (local.set $a (f32x4.add (local.get $a) (f32x4.mul
 *           (v128.load (i32.add (local.get $row) (local.get $j))) (v128.load (i32.add (local.get $q) (local.get $j))))))
 *         (local.set $b (f32x4.add (local.get $b) (f32x4.mul
 *           (v128.load offset=16 (i32.add (local.get $row) (local.get $j)))
 *           (v128.load offset=16 (i32.add (local.get $q) (local.get $j))))))
 *         (local.set $j (i32.add (local.get $j) (i32.const 32)))
 *         (br $cols)))
 *       (local.set $a (f32x4.add (local.get $a) (local.get $b)))
 *       (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
 *         (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
 *           (f32x4.extract_lane 2 (local.get $a))) (f32x4.extract_lane 3 (local.get $a))))
 *       (local.set $row (i32.add (local.get $row) (local.get $bytes)))
 *       (local.set $i (i32.add (local.get $i) (i32.const 1)))
 *       (br $rows))))
 */

export type VectorMatrix = {
  readonly capacity: number;
  readonly dims: number;
  /** Row i is data[i*dims … (i+1)*dims). Write rows here. */
  readonly data: Float32Array;
  readonly kind: 'wasm-simd' | 'js';
  /** query · row for rows 0 … n-1 (a fresh array the caller owns). */
  scan(query: Float32Array, n: number): Float32Array;
};

// Opcodes used by the kernel.
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const F32_ADD = 0x92;
const F32_STORE = 0x38;
const BLOCK = 0x02;
const LOOP = 0x03;
const BR = 0x0c;
const BR_IF = 0x0d;
const END = 0x0b;
const VOID = 0x40;
const SIMD = 0xfd;
const V128_LOAD = [SIMD, 0x00];
const V128_CONST = [SIMD, 0x0c];
const F32X4_EXTRACT_LANE = [SIMD, 0x1f];
const F32X4_ADD = [SIMD, 0xe4, 0x01];
const F32X4_MUL = [SIMD, 0xe6, 0x01];
const I32 = 0x7f;
const V128 = 0x7b;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const name = (s: string) => [...leb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

function kernel(): Uint8Array {
  // Locals: params 0-4 ($mat $n $d $q $out), then $i=5 $j=6 $row=7 $bytes=8 (i32), $a=9 $b=10 (v128).
  const get = (i: number) => [LOCAL_GET, i];
  const set = (i: number) => [LOCAL_SET, i];
  const zero = [...V128_CONST, ...new Array(16).fill(0)];
  // v128.load with 4-byte alignment (rows are float32-aligned, not 16-byte aligned) and an offset.
  const load = (base: number, offset: number) => [...get(base), ...get(6), I32_ADD, ...V128_LOAD, 2, ...leb(offset)];
  const lane = (l: number) => [...get(9), ...F32X4_EXTRACT_LANE, l];
  // biome-ignore format: one group per line, in the order of the text format above
  const code = [
    ...get(2), I32_CONST, 2, I32_SHL, ...set(8),
    ...get(0), ...set(7),
    BLOCK, VOID, LOOP, VOID,
    ...get(5), ...get(1), I32_GE_U, BR_IF, 1,
    ...zero, ...set(9), ...zero, ...set(10),
    I32_CONST, 0, ...set(6),
    BLOCK, VOID, LOOP, VOID,
    ...get(6), ...get(8), I32_GE_U, BR_IF, 1,
    ...get(9), ...load(7, 0), ...load(3, 0), ...F32X4_MUL, ...F32X4_ADD, ...set(9),
    ...get(10), ...load(7, 16), ...load(3, 16), ...F32X4_MUL, ...F32X4_ADD, ...set(10),
    ...get(6), I32_CONST, 32, I32_ADD, ...set(6),
    BR, 0, END, END,
    ...get(9), ...get(10), ...F32X4_ADD, ...set(9),
    ...get(4), ...get(5), I32_CONST, 2, I32_SHL, I32_ADD,
    ...lane(0), ...lane(1), F32_ADD, ...lane(2), F32_ADD, ...lane(3), F32_ADD,
    F32_STORE, 2, 0,
    ...get(7), ...get(8), I32_ADD, ...set(7),
    ...get(5), I32_CONST, 1, I32_ADD, ...set(5),
    BR, 0, END, END,
    END,
  ];
  const body = [2, 4, I32, 2, V128, ...code];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 0x01]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('scan'), 0x00, 0x00]),
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}

/** The part of the WebAssembly JS API used here (the backend's type config has no DOM or wasm lib). */
type Wasm = {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};
const wasm = (globalThis as unknown as { WebAssembly?: Wasm }).WebAssembly;

let compiled: object | null | undefined;
function module(): object | null {
  if (compiled === undefined) {
    try {
      const bytes = kernel();
      compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65_536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

function wasmMatrix(api: Wasm, mod: object, capacity: number, dims: number): VectorMatrix {
  const qOff = 0;
  const outOff = align16(dims * 4);
  const matOff = align16(outOff + capacity * 4);
  const bytes = matOff + capacity * dims * 4;
  const mem = new api.Memory({ initial: Math.ceil(bytes / PAGE) });
  const scanRows = new api.Instance(mod, { env: { mem } }).exports.scan as (
    mat: number,
    n: number,
    d: number,
    q: number,
    out: number,
  ) => void;
  const data = new Float32Array(mem.buffer, matOff, capacity * dims);
  const query = new Float32Array(mem.buffer, qOff, dims);
  return {
    capacity,
    dims,
    data,
    kind: 'wasm-simd',
    scan(q, n) {
      query.set(q);
      scanRows(matOff, n, dims, qOff, outOff);
      return new Float32Array(mem.buffer, outOff, n).slice();
    },
  };
}

function jsMatrix(capacity: number, dims: number): VectorMatrix {
  const data = new Float32Array(capacity * dims);
  const d8 = dims - (dims % 8);
  return {
    capacity,
    dims,
    data,
    kind: 'js',
    scan(query, n) {
      const q = Float64Array.from(query);
      const out = new Float32Array(n);
      // Eight accumulators: measured fastest in V8 here.
      for (let i = 0, off = 0; i < n; i++, off += dims) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let s4 = 0;
        let s5 = 0;
        let s6 = 0;
        let s7 = 0;
        let j = 0;
        for (; j < d8; j += 8) {
          const o = off + j;
          s0 += data[o]! * q[j]!;
          s1 += data[o + 1]! * q[j + 1]!;
          s2 += data[o + 2]! * q[j + 2]!;
          s3 += data[o + 3]! * q[j + 3]!;
          s4 += data[o + 4]! * q[j + 4]!;
          s5 += data[o + 5]! * q[j + 5]!;
          s6 += data[o + 6]! * q[j + 6]!;
          s7 += data[o + 7]! * q[j + 7]!;
        }
        for (; j < dims; j++) s0 += data[off + j]! * q[j]!;
        out[i] = s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
      }
      return out;
    },
  };
}

/** A matrix of `capacity` rows of `dims` float32s, scanned with SIMD when it can be. */
export function createMatrix(capacity: number, dims: number, opts: { js?: boolean } = {}): VectorMatrix {
  const mod = opts.js || dims % 8 !== 0 ? null : module();
  return mod && wasm ? wasmMatrix(wasm, mod, capacity, dims) : jsMatrix(capacity, dims);
}
