// A small, complete EDN reader (https://github.com/edn-format/edn) and writer: nil, booleans, integers
// (with N), floats (with M), ratios, strings with escapes, characters, keywords, symbols, lists, vectors,
// maps, sets, #tagged elements, #_ discard, `;` comments and commas as whitespace. Errors name line:column.
//
// Representation: nil → null, booleans/strings as themselves, integers → number (bigint when beyond
// 2^53), vectors and lists → arrays (a list is marked by EdnList), maps → EdnMap, sets → EdnSet,
// keywords → Keyword, symbols → Sym, characters → EdnChar, #tag x → Tagged. `toJson` turns a value
// into plain JSON (keywords and symbols become their names, maps with keyword keys become objects).

export class Keyword {
  constructor(readonly name: string) {}
  toString() {
    return ":" + this.name;
  }
}
export class Sym {
  constructor(readonly name: string) {}
  toString() {
    return this.name;
  }
}
export class EdnChar {
  constructor(readonly char: string) {}
}
export class Tagged {
  constructor(
    readonly tag: string,
    readonly value: EdnValue,
  ) {}
}
export class EdnList extends Array<EdnValue> {}
export class EdnMap extends Map<EdnValue, EdnValue> {
  /** The line the map starts on (for file:line errors about an op written as a map). */
  line = 0;
  /** Value under a keyword key (maps read from EDN keep key identity per read, so look up by name). */
  kw(name: string): EdnValue | undefined {
    for (const [k, v] of this) if (k instanceof Keyword && k.name === name) return v;
    return undefined;
  }
  hasKw(name: string): boolean {
    for (const k of this.keys()) if (k instanceof Keyword && k.name === name) return true;
    return false;
  }
}
export class EdnSet extends Set<EdnValue> {}
export type EdnValue =
  null | boolean | number | bigint | string | Keyword | Sym | EdnChar | Tagged | EdnValue[] | EdnMap | EdnSet;

export class EdnError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly problem: string,
  ) {
    super(`${line}:${column}: ${problem}`);
    this.name = "EdnError";
  }
}

/** A top-level form with the line it starts on (for file:line errors about it). */
export interface Form {
  value: EdnValue;
  line: number;
}

const DELIMS = new Set(["(", ")", "[", "]", "{", "}", '"', ";"]);
const isWs = (c: string) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "," || c === "\f";
const NAMED_CHARS: Record<string, string> = {
  newline: "\n",
  return: "\r",
  space: " ",
  tab: "\t",
  backspace: "\b",
  formfeed: "\f",
};

/** Deeper nesting is refused (an error naming the line), not read until the stack overflows. */
export const MAX_DEPTH = 1000;

class Reader {
  pos = 0;
  depth = 0;
  line = 1;
  col = 1;
  constructor(readonly text: string) {}

  fail(problem: string, line = this.line, col = this.col): never {
    throw new EdnError(line, col, problem);
  }

  private advance(): string {
    const c = this.text[this.pos++];
    if (c === "\n") {
      this.line++;
      this.col = 1;
    } else this.col++;
    return c;
  }

  /** Skips whitespace, commas and comments. Returns false at end of input. */
  skip(): boolean {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (isWs(c)) this.advance();
      else if (c === ";") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.advance();
      } else if (c === "#" && t[this.pos + 1] === "!") {
        while (this.pos < t.length && t[this.pos] !== "\n") this.advance();
      } else return true;
    }
    return false;
  }

  read(): EdnValue {
    if (++this.depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    const v = this.readForm();
    this.depth--;
    return v;
  }

  private readForm(): EdnValue {
    if (!this.skip()) this.fail("unexpected end of input");
    const line = this.line,
      col = this.col;
    const c = this.text[this.pos];
    switch (c) {
      case "(":
        this.advance();
        return this.readSeq(")", line, col, new EdnList());
      case "[":
        this.advance();
        return this.readSeq("]", line, col, []);
      case "{": {
        this.advance();
        const items = this.readSeq("}", line, col, []);
        if (items.length % 2) this.fail("a map needs an even number of forms", line, col);
        const m = new EdnMap();
        m.line = line;
        for (let i = 0; i < items.length; i += 2) m.set(items[i], items[i + 1]);
        return m;
      }
      case ")":
      case "]":
      case "}":
        this.fail(`unexpected ${JSON.stringify(c)}`);
      // falls through (fail never returns)
      case '"':
        return this.readString();
      case "\\":
        return this.readChar();
      case "#":
        return this.readDispatch();
      case "^": {
        this.advance();
        this.read();
        return this.read();
      } // metadata: ignored
      default:
        return this.readAtom();
    }
  }

  private readSeq<T extends EdnValue[]>(close: string, line: number, col: number, out: T): T {
    for (;;) {
      if (!this.skip())
        this.fail(
          `unclosed ${close === ")" ? "list" : close === "]" ? "vector" : "map or set"} opened here`,
          line,
          col,
        );
      if (this.text[this.pos] === close) {
        this.advance();
        return out;
      }
      if (this.discard()) continue;
      out.push(this.read());
    }
  }

  /** `#_ form`: reads and drops the next form. */
  discard(): boolean {
    if (this.text[this.pos] === "#" && this.text[this.pos + 1] === "_") {
      this.advance();
      this.advance();
      this.read();
      return true;
    }
    return false;
  }

  private readString(): string {
    const line = this.line,
      col = this.col;
    this.advance();
    let out = "";
    const t = this.text;
    for (;;) {
      if (this.pos >= t.length) this.fail("unterminated string", line, col);
      const c = this.advance();
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      if (this.pos >= t.length) this.fail("unterminated string", line, col);
      const e = this.advance();
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "u": {
          const hex = t.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail(`bad unicode escape \\u${hex}`);
          for (let i = 0; i < 4; i++) this.advance();
          out += String.fromCharCode(parseInt(hex, 16));
          break;
        }
        default:
          this.fail(`unknown string escape \\${e}`);
      }
    }
  }

  private token(): string {
    const start = this.pos;
    const t = this.text;
    while (this.pos < t.length && !isWs(t[this.pos]) && !DELIMS.has(t[this.pos])) this.advance();
    return t.slice(start, this.pos);
  }

  private readChar(): EdnChar {
    this.advance();
    const first = this.text[this.pos];
    if (first === undefined) this.fail("character literal at end of input");
    this.advance();
    const rest = this.token();
    const tok = first + rest;
    if (tok.length === 1) return new EdnChar(tok);
    if (NAMED_CHARS[tok]) return new EdnChar(NAMED_CHARS[tok]);
    if (/^u[0-9a-fA-F]{4}$/.test(tok)) return new EdnChar(String.fromCharCode(parseInt(tok.slice(1), 16)));
    return this.fail(`unknown character literal \\${tok}`);
  }

  private readDispatch(): EdnValue {
    const line = this.line,
      col = this.col;
    this.advance();
    const c = this.text[this.pos];
    if (c === "{") {
      this.advance();
      return new EdnSet(this.readSeq("}", line, col, []));
    }
    if (c === "_") {
      this.advance();
      this.read();
      return this.read();
    }
    const tag = this.token();
    if (!tag) this.fail("bad # dispatch", line, col);
    return new Tagged(tag, this.read());
  }

  private readAtom(): EdnValue {
    const line = this.line,
      col = this.col;
    const tok = this.token();
    if (tok === "") this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    if (tok === "nil") return null;
    if (tok === "true") return true;
    if (tok === "false") return false;
    if (tok[0] === ":") {
      if (tok.length === 1 || tok === "::") this.fail("empty keyword", line, col);
      return new Keyword(tok.slice(1));
    }
    const c = tok[0];
    if ((c >= "0" && c <= "9") || ((c === "-" || c === "+") && tok[1] >= "0" && tok[1] <= "9"))
      return parseNumber(tok, () => this.fail(`bad number ${tok}`, line, col));
    return new Sym(tok);
  }
}

function parseNumber(tok: string, bad: () => never): number | bigint {
  let m = /^([-+]?)(0|[1-9][0-9]*)(N?)$/.exec(tok);
  if (m) {
    const n = Number(m[1] + m[2]);
    if (Number.isSafeInteger(n)) return n;
    return BigInt(m[1] === "-" ? "-" + m[2] : m[2]);
  }
  m = /^[-+]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?M?$/.exec(tok);
  if (m) return Number(tok.replace(/M$/, ""));
  m = /^([-+]?[0-9]+)\/([0-9]+)$/.exec(tok);
  if (m) return Number(m[1]) / Number(m[2]);
  m = /^([-+]?)0[xX]([0-9a-fA-F]+)N?$/.exec(tok);
  if (m) return Number(m[1] + "0x" + m[2]) * 1 || parseInt(m[1] + m[2], 16);
  return bad();
}

/** Reads every top-level form in text, with the line each starts on. */
export function readAll(text: string): Form[] {
  const r = new Reader(text);
  const out: Form[] = [];
  for (;;) {
    if (!r.skip()) return out;
    if (r.discard()) continue;
    const line = r.line;
    out.push({ value: r.read(), line });
  }
}

/** Reads exactly one form. */
export function readEdn(text: string): EdnValue {
  const forms = readAll(text);
  if (forms.length !== 1)
    throw new EdnError(forms[1]?.line ?? 1, 1, forms.length === 0 ? "no EDN form" : "more than one top-level form");
  return forms[0].value;
}

/** Plain JSON for an EDN value: keywords/symbols → names, maps → objects (keys by name), sets → arrays. */
export function toJson(v: EdnValue): unknown {
  if (v === null || typeof v === "boolean" || typeof v === "number" || typeof v === "string") return v;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Keyword || v instanceof Sym) return v.name;
  if (v instanceof EdnChar) return v.char;
  if (v instanceof Tagged) return toJson(v.value);
  if (Array.isArray(v)) return v.map(toJson);
  if (v instanceof EdnSet) return [...v].map(toJson);
  if (v instanceof EdnMap) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v)
      o[typeof k === "string" ? k : k instanceof Keyword || k instanceof Sym ? k.name : JSON.stringify(toJson(k))] =
        toJson(x);
    return o;
  }
  return String(v);
}

const KEYWORD_SAFE = /^[A-Za-z*!_?<>=$%&+\-.][A-Za-z0-9*!_?<>=$%&+\-.:#/]*$/;

/** EDN text for a JSON value: objects become maps with keyword keys where the key allows it. */
export function jsonToEdn(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "nil";
  if (typeof v === "string") return ednString(v);
  if (Array.isArray(v)) return "[" + v.map(jsonToEdn).join(" ") + "]";
  if (typeof v === "object") {
    return (
      "{" +
      Object.entries(v as Record<string, unknown>)
        .map(([k, x]) => `${keywordOrString(k)} ${jsonToEdn(x)}`)
        .join(", ") +
      "}"
    );
  }
  return ednString(String(v));
}

export const keywordOrString = (k: string): string =>
  KEYWORD_SAFE.test(k) && !/^[-+.]?[0-9]/.test(k) ? ":" + k : ednString(k);

export function ednString(s: string): string {
  return (
    '"' +
    s.replace(
      /[\\"\n\t\r\b\f]/g,
      (c) => ({ "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f" })[c]!,
    ) +
    '"'
  );
}
