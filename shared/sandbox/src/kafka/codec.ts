// The Kafka wire protocol's primitive types, non-flexible encodings only (the fake advertises no flexible version):
// big-endian INT8/16/32/64, BOOLEAN, STRING (INT16 length, -1 = null), BYTES (INT32 length, -1 = null),
// ARRAY (INT32 count, -1 = null). https://kafka.apache.org/protocol#protocol_types

/** A request that does not decode as its declared API version: the fake records it as a protocol violation. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class Reader {
  private offset = 0;
  private readonly buffer: Buffer;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }

  private need(bytes: number, what: string): void {
    if (this.offset + bytes > this.buffer.length) {
      throw new ProtocolError(`truncated request: ${what} needs ${bytes} bytes at offset ${this.offset}`);
    }
  }

  int8(): number {
    this.need(1, 'INT8');
    const value = this.buffer.readInt8(this.offset);
    this.offset += 1;
    return value;
  }

  boolean(): boolean {
    const value = this.int8();
    if (value !== 0 && value !== 1) throw new ProtocolError(`BOOLEAN must be 0 or 1, got ${value}`);
    return value === 1;
  }

  int16(): number {
    this.need(2, 'INT16');
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  int32(): number {
    this.need(4, 'INT32');
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  int64(): bigint {
    this.need(8, 'INT64');
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < -1) throw new ProtocolError(`STRING length ${length} is negative`);
    this.need(length, 'STRING');
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(what = 'STRING'): string {
    const value = this.nullableString();
    if (value === null) throw new ProtocolError(`${what} must not be null`);
    return value;
  }

  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < -1) throw new ProtocolError(`BYTES length ${length} is negative`);
    this.need(length, 'BYTES');
    const value = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  nullableArray<T>(item: (reader: Reader) => T): T[] | null {
    const count = this.int32();
    if (count === -1) return null;
    if (count < -1) throw new ProtocolError(`ARRAY count ${count} is negative`);
    if (count > this.buffer.length - this.offset) throw new ProtocolError(`ARRAY count ${count} exceeds the request`);
    return Array.from({ length: count }, () => item(this));
  }

  array<T>(item: (reader: Reader) => T, what = 'ARRAY'): T[] {
    const value = this.nullableArray(item);
    if (value === null) throw new ProtocolError(`${what} must not be null`);
    return value;
  }

  /** Every field of the declared version was read and nothing is left over. */
  end(): void {
    if (this.offset !== this.buffer.length) {
      throw new ProtocolError(`${this.buffer.length - this.offset} unexpected bytes after the request body`);
    }
  }
}

export class Writer {
  private readonly chunks: Buffer[] = [];

  int8(value: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(value);
    this.chunks.push(b);
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    this.chunks.push(b);
    return this;
  }

  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    this.chunks.push(b);
    return this;
  }

  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    this.chunks.push(b);
    return this;
  }

  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    this.int16(bytes.length);
    this.chunks.push(bytes);
    return this;
  }

  bytes(value: Buffer | null): this {
    if (value === null) return this.int32(-1);
    this.int32(value.length);
    this.chunks.push(value);
    return this;
  }

  array<T>(items: readonly T[] | null, write: (writer: Writer, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
