import { closeSync, openSync, readSync, fstatSync } from 'node:fs';

/** Protobuf wire types used by ONNX. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

export interface FieldHeader {
  field: number;
  /** Offset of the field's tag. */
  pos: number;
  wire: number;
  /** Offset of the field's payload (after tag and, for LEN, the length). */
  start: number;
  /** Payload length in bytes (LEN) or varint value (VARINT). */
  length: number;
  /** Offset of the next field. */
  end: number;
}

/** Reads a base-128 varint from `buf` at `pos`; returns [value, nextPos]. Values up to 2^53 stay exact. */
export function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (pos >= buf.length) throw new RangeError('truncated varint');
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
    if (scale > 2 ** 63) throw new RangeError('varint too long');
  }
}

/** Protobuf's base-128 varint of a non-negative integer. */
export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  out.push(value);
  return out;
}

/** A length-delimited field (wire type LEN): its tag, its length and the payload. */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + LEN), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** A varint field: its tag and value. */
export function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint(field * 8 + VARINT), ...encodeVarint(value)]);
}

/** A string field, UTF-8. */
export function stringField(field: number, text: string): Uint8Array {
  return lengthDelimited(field, new TextEncoder().encode(text));
}

/** A message: its fields one after another. */
export function message(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Iterates the fields of a message held in memory. */
export function* fields(buf: Uint8Array, from = 0, to = buf.length): Generator<FieldHeader> {
  let pos = from;
  while (pos < to) {
    const [tag, afterTag] = readVarint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let start = afterTag;
    let length = 0;
    let end: number;
    if (wire === VARINT) {
      [length, end] = readVarint(buf, afterTag);
    } else if (wire === LEN) {
      [length, start] = readVarint(buf, afterTag);
      end = start + length;
    } else if (wire === I64) {
      end = afterTag + 8;
    } else if (wire === I32) {
      end = afterTag + 4;
    } else {
      throw new RangeError(`unsupported protobuf wire type ${wire}`);
    }
    if (end > to) throw new RangeError('field runs past the end of its message');
    yield { field, pos, wire, start, length, end };
    pos = end;
  }
}

const decoder = new TextDecoder();
export function readString(buf: Uint8Array, f: FieldHeader): string {
  return decoder.decode(buf.subarray(f.start, f.end));
}

/**
 * Random-access reads of a protobuf file without loading it whole: a 500 MB model is
 * walked field by field, skipping weight payloads, so tapping needs almost no memory.
 */
export class ProtoFile {
  private readonly fd: number;
  readonly size: number;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new RangeError(`unexpected end of file at byte ${offset + done}`);
      done += n;
    }
    return out;
  }

  /** The header of the field starting at `pos` (payload not read). */
  header(pos: number, limit: number): FieldHeader {
    const head = this.read(pos, Math.min(20, limit - pos));
    const [tag, afterTag] = readVarint(head, 0);
    const wire = tag & 7;
    const field = Math.floor(tag / 8);
    if (wire === LEN) {
      const [length, start] = readVarint(head, afterTag);
      const end = pos + start + length;
      if (end > limit) throw new RangeError(`field ${field} at byte ${pos} runs past the end of its message`);
      return { field, pos, wire, start: pos + start, length, end };
    }
    if (wire === VARINT) {
      const [value, next] = readVarint(head, afterTag);
      return { field, pos, wire, start: pos + afterTag, length: value, end: pos + next };
    }
    if (wire === I64) return { field, pos, wire, start: pos + afterTag, length: 8, end: pos + afterTag + 8 };
    if (wire === I32) return { field, pos, wire, start: pos + afterTag, length: 4, end: pos + afterTag + 4 };
    throw new RangeError(`unsupported protobuf wire type ${wire} at byte ${pos}`);
  }

  /** Iterates the fields between `from` and `to` of the file. */
  *fields(from: number, to: number): Generator<FieldHeader> {
    let pos = from;
    while (pos < to) {
      const f = this.header(pos, to);
      yield f;
      pos = f.end;
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
