#!/usr/bin/env node
// psparse: parse PowerShell scripts with tree-sitter-powershell (WebAssembly,
// through web-tree-sitter: no native addons) and print facts about them as
// one JSON document. See README.md for the output format.
//
//   node tools/psparse/psparse.mjs [--pretty] file1.ps1 file2.ps1 ...
//   node tools/psparse/psparse.mjs [--pretty] --stdin-json < {"files":[{"path":"a.ps1","text":"..."}]}
//
// Exit status: 0 when it ran (whether or not the scripts have syntax errors),
// 2 when it could not run (bad usage, unreadable input, missing node_modules).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// V8 would optimise the grammar's huge lexer function with TurboFan in the
// background, which costs ~6 s of CPU and holds up the exit of every run.
// Liftoff (baseline) code parses fast enough. Must be set before the wasm is
// compiled (web-tree-sitter is imported lazily, below).
v8.setFlagsFromString('--liftoff-only');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const INSTALL_HINT = 'run: npm ci --prefix tools/psparse';
const ERROR_TEXT_MAX = 80;

// ---------------------------------------------------------------------------
// Loading (once per process)

class UsageError extends Error {}

async function loadParser() {
  let TS;
  try {
    TS = await import('web-tree-sitter');
  } catch (e) {
    throw new UsageError(`cannot load web-tree-sitter (${e.code || e.message}); ${INSTALL_HINT}`);
  }
  const wasmPath = path.join(HERE, 'node_modules', 'tree-sitter-powershell', 'tree-sitter-powershell.wasm');
  let wasm;
  try {
    wasm = fs.readFileSync(wasmPath);
  } catch (e) {
    throw new UsageError(`cannot read ${wasmPath} (${e.code || e.message}); ${INSTALL_HINT}`);
  }
  await TS.Parser.init();
  const lang = await TS.Language.load(new Uint8Array(wasm));
  const parser = new TS.Parser();
  parser.setLanguage(lang);
  return parser;
}

// ---------------------------------------------------------------------------
// Small tree helpers

// Expression layers of the grammar that wrap a single child.
const WRAPPERS = new Set([
  'logical_expression', 'bitwise_expression', 'comparison_expression', 'additive_expression',
  'multiplicative_expression', 'format_expression', 'range_expression', 'array_literal_expression',
  'unary_expression', 'expression_with_unary_operator', 'left_assignment_expression',
  'argument_expression', 'logical_argument_expression', 'bitwise_argument_expression',
  'comparison_argument_expression', 'additive_argument_expression',
  'multiplicative_argument_expression', 'format_argument_expression', 'range_argument_expression',
  'key_expression', 'member_name', 'integer_literal', 'switch_clause_condition',
]);

function kids(n) {
  // Named children without comments (comments are extras and may appear anywhere).
  const out = [];
  for (let i = 0; i < n.namedChildCount; i++) {
    const c = n.namedChild(i);
    if (c.type !== 'comment') out.push(c);
  }
  return out;
}

function allKids(n) {
  const out = [];
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (c.type !== 'comment') out.push(c);
  }
  return out;
}

function unwrap(n) {
  while (n && WRAPPERS.has(n.type) && n.childCount === 1) {
    const k = n.namedChild(0);
    if (!k) break;
    n = k;
  }
  return n;
}

// The grammar reads a range that starts with a number (1..10, 0..($n - 1))
// as a command named "1..10": such "commands" are expressions.
function isRangeCommand(n) {
  if (n.type !== 'command') return false;
  for (let i = 0; i < n.childCount; i++) {
    const c = n.child(i);
    if (c.type === 'command_invokation_operator') return false;
    if (c.type === 'command_name') return /^(?:0x[0-9a-f]+|[0-9]+)[ld]?(?:[kmgtp]b)?\.\./i.test(c.text);
  }
  return false;
}

function truncate(s, max = ERROR_TEXT_MAX) {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

const OPERATORS = new Set([
  'as', 'ccontains', 'ceq', 'cge', 'cgt', 'cle', 'clike', 'clt', 'cmatch', 'cne', 'cnotcontains',
  'cnotlike', 'cnotmatch', 'contains', 'creplace', 'csplit', 'eq', 'ge', 'gt', 'icontains', 'ieq',
  'ige', 'igt', 'ile', 'ilike', 'ilt', 'imatch', 'in', 'ine', 'inotcontains', 'inotlike', 'inotmatch',
  'ireplace', 'is', 'isnot', 'isplit', 'join', 'le', 'like', 'lt', 'match', 'ne', 'notcontains',
  'notin', 'notlike', 'notmatch', 'replace', 'shl', 'shr', 'split', 'f', 'and', 'or', 'xor', 'not',
  'band', 'bor', 'bxor', 'bnot',
]);

// Statement keywords: a command with one of these names is a syntax error that
// the grammar lets through (e.g. `function {` parses as the command "function").
const KEYWORD_COMMANDS = new Set([
  'function', 'filter', 'workflow', 'param', 'try', 'catch', 'finally', 'if', 'elseif', 'else',
  'switch', 'for', 'foreach', 'while', 'do', 'until', 'trap', 'class', 'enum',
]);

// Parameters that are switches on the cmdlets we call: "-Force $x" gives
// Force as a switch and $x as a positional argument. Any other parameter
// followed by an argument takes that argument as its value.
const KNOWN_SWITCHES = new Set([
  'force', 'recurse', 'passthru', 'compress', 'asplaintext', 'wait', 'append', 'raw', 'noenumerate',
  'verbose', 'debug', 'whatif', 'confirm', 'asjob', 'ashashtable', 'unique', 'descending',
  'notypeinformation', 'nonewwindow', 'includemanagementtools', 'restart', 'shallow',
]);

// ---------------------------------------------------------------------------
// Workarounds for valid PowerShell that tree-sitter-powershell 0.26.4
// mis-parses. Each one rewrites the text that is parsed, never its length
// nor its line structure, so every position (and every text taken from the
// original source) stays right. "always" ones are pure case changes; the
// others are applied only on lines where the parse has an error, then the
// text is parsed again (until no error is left or nothing more applies).

const WORD = /[A-Za-z0-9_]/;

function isOperatorWord(w) {
  return OPERATORS.has(w.toLowerCase());
}

const WORKAROUNDS = [
  {
    // 0x80041009L, 1GB: the grammar knows only lower-case suffixes.
    kind: 'numeric-suffix-case',
    always: true,
    find(text) {
      const out = [];
      const re = /(?<![A-Za-z0-9_$.])(0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)([lLdD]?(?:[kKmMgGtTpP][bB])?)(?![A-Za-z0-9_])/g;
      for (const m of text.matchAll(re)) {
        const lit = m[0];
        const hex = /^0[xX]/.test(lit);
        const patched = (hex ? '0x' + m[1].slice(2) : m[1].toLowerCase()) + m[2].toLowerCase();
        if (patched !== lit) out.push({ start: m.index, end: m.index + lit.length, patched });
      }
      return out;
    },
  },
  {
    // $x.ForEach({ ... }), $x.ForEachItem: ".foreach" is a keyword token of
    // the grammar (for $x.foreach{ ... }), so any other member starting with
    // "foreach" breaks the parse.
    kind: 'foreach-member',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/(?<=[A-Za-z0-9_)\]}'"])\.foreach(?![ \t]*\{)/gi)) {
        const p = m.index + 2; // the "o"
        out.push({ start: m.index, end: m.index + m[0].length, at: p, patched: '_' });
      }
      return out;
    },
  },
  {
    // break outer / continue outer: the grammar wants ":outer" or an expression.
    kind: 'loop-label',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/(?<![A-Za-z0-9_$-])(break|continue)([ \t]+)([A-Za-z_][A-Za-z0-9_]*)/gi)) {
        const p = m.index + m[1].length + m[2].length;
        out.push({ start: m.index, end: p + m[3].length, at: p, patched: m[3].length > 1 ? '$' : '0' });
      }
      return out;
    },
  },
  {
    // function f { param($a) $a }: the grammar wants a line break or ";"
    // after a function's param block.
    kind: 'param-block-same-line',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/(?<![A-Za-z0-9_$-])param[ \t]*\(/gi)) {
        const close = matchParen(text, m.index + m[0].length - 1);
        if (close < 0) continue;
        const after = text[close + 1];
        if (after === ' ' || after === '\t') {
          const rest = text.slice(close + 1).match(/^[ \t]*([^ \t])/);
          if (rest && rest[1] !== '\n' && rest[1] !== '\r' && rest[1] !== ';' && rest[1] !== '#' && rest[1] !== '}') {
            out.push({ start: m.index, end: close + 2, at: close + 1, patched: ';' });
          }
        }
      }
      return out;
    },
  },
  {
    // @"<newline>"@ and @'<newline>'@: the grammar needs at least one line.
    // Parsed as the same-length string "@<newline>@" (reported as "").
    kind: 'empty-here-string',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/@(["'])[ \t]*\r?\n\1@/g)) {
        const q = m[1];
        const end = m.index + m[0].length;
        out.push({ start: m.index, end, edits: [[m.index, q + '@'], [end - 2, '@' + q]] });
      }
      return out;
    },
  },
  {
    // Native command arguments such as --format=json or -o=x: the grammar
    // reads "--format" as a parameter and fails on "=". Parsed as a bare word.
    kind: 'dash-equals-argument',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/(?<=[ \t])--?([A-Za-z][A-Za-z0-9_-]*)=[^\s;|)}]*/g)) {
        if (isOperatorWord(m[1])) continue;
        out.push({ start: m.index, end: m.index + m[0].length, at: m.index, patched: '_', bareword: true });
      }
      return out;
    },
  },
  {
    // tool -- -x: the end-of-parameters marker "--" is read as the "--"
    // operator. Parsed as a bare word; psparse reports later arguments as
    // positional.
    kind: 'end-of-parameters',
    find(text) {
      const out = [];
      for (const m of text.matchAll(/(?<=[ \t])--(?=[ \t]|\r?\n|$)/g)) {
        out.push({ start: m.index, end: m.index + 2, at: m.index, patched: '_', bareword: true });
      }
      return out;
    },
  },
  {
    // -Property FirstName,LastName (bare words separated by commas, a string
    // array in command mode): the grammar has no array of bare words. Each
    // word is parsed as a same-length variable ($irstName) or, for a
    // one-letter word, a number; psparse reports them as strings.
    kind: 'bareword-list',
    find(text) {
      const out = [];
      const el = String.raw`(?:[A-Za-z_][A-Za-z0-9_]*|'[^'\r\n]*'|"[^"$\r\n${'`'}]*")`;
      const re = new RegExp(String.raw`(?<=[ \t:])${el}(?:[ \t]*,\s*${el})+(?=[\s;|)}]|$)`, 'g');
      for (const m of text.matchAll(re)) {
        // Only in command mode: right after a parameter (-Name or -Name:) or
        // right after a command name at the start of a statement.
        const before = text.slice(Math.max(0, m.index - 200), m.index);
        const pm = before.match(/(?:^|[\s(;|{=])-([A-Za-z_][A-Za-z0-9_-]*)(?::|[ \t]+)$/);
        const cm = before.match(/(?:^|[\n;|{(=])[ \t]*(?:[&.][ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]+$/);
        if (pm ? isOperatorWord(pm[1]) : !cm || KEYWORD_COMMANDS.has(cm[1].toLowerCase())) continue;
        const edits = [];
        const words = [];
        for (const w of m[0].matchAll(/'[^']*'|"[^"]*"|([A-Za-z_][A-Za-z0-9_]*)/g)) {
          if (!w[1]) continue;
          const s = m.index + w.index;
          edits.push([s, w[1].length > 1 ? '$' : '0']);
          words.push([s, s + w[1].length]);
        }
        if (!edits.length) continue;
        out.push({ start: m.index, end: m.index + m[0].length, edits, words });
      }
      return out;
    },
  },
];

// Index of the ")" that closes the "(" at open, skipping quoted strings; -1 if none.
function matchParen(text, open) {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") {
      i++;
      while (i < text.length && !(text[i] === "'" && text[i + 1] !== "'")) i += text[i] === "'" ? 2 : 1;
    } else if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '`' ? 2 : 1;
    } else if (ch === '`') {
      i++;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function editsOf(c) {
  if (c.edits) return c.edits;
  if (c.at !== undefined) return [[c.at, c.patched]];
  return [[c.start, c.patched]];
}

function applyEdits(text, edits) {
  const chars = text.split('');
  // Edits replace text of the same length, starting at a position.
  for (const [at, s] of edits) {
    for (let i = 0; i < s.length; i++) chars[at + i] = s[i];
  }
  return chars.join('');
}

// ---------------------------------------------------------------------------
// Errors

function collectSyntaxErrors(root) {
  const out = [];
  const visit = (n) => {
    if (n.isMissing) {
      out.push({ node: n, kind: 'missing', message: `missing ${JSON.stringify(n.type)}` });
      return;
    }
    if (n.isError) {
      out.push({ node: n, kind: 'error', message: 'syntax error' });
      return;
    }
    if (!n.hasError) return;
    let found = false;
    for (let i = 0; i < n.childCount; i++) {
      const c = n.child(i);
      if (c.hasError || c.isMissing || c.isError) {
        found = true;
        visit(c);
      }
    }
    // A missing hidden token (e.g. the name in "function {") shows only as
    // an error flag on its parent.
    if (!found) {
      const what = n.type === 'function_name' ? 'function name' : n.type.replace(/_/g, ' ');
      out.push({ node: n, kind: 'missing', message: `missing ${what}` });
    }
  };
  visit(root);
  return out;
}

function inCommentOrString(root, index) {
  let n = root.descendantForIndex(index, index);
  for (; n; n = n.parent) {
    switch (n.type) {
      case 'comment':
      case 'string_literal':
      case 'expandable_string_literal':
      case 'verbatim_string_characters':
      case 'expandable_here_string_literal':
      case 'verbatim_here_string_characters':
        return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Per-file analysis

class FileAnalysis {
  constructor(filePath, source) {
    this.path = filePath;
    this.src = source;
    this.lineStarts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === '\n') this.lineStarts.push(i + 1);
    this.barewords = new Map(); // "start:end" of a bare word parsed as something else
    this.workarounds = [];
  }

  pos(index) {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - this.lineStarts[lo] + 1 };
  }

  text(n) {
    return this.src.slice(n.startIndex, n.endIndex);
  }

  parse(parser) {
    let text = this.src;
    const record = (c) => {
      this.workarounds.push({ ...this.pos(c.start), kind: c.kind, text: truncate(this.src.slice(c.start, c.end)) });
      for (const w of c.words || []) this.barewords.set(`${w[0]}:${w[1]}`, true);
      if (c.bareword) {
        // The whole argument token, up to the next separator.
        const m = this.src.slice(c.start).match(/^[^\s;|)}(,]+/);
        this.barewords.set(`${c.start}:${c.start + m[0].length}`, true);
      }
    };
    for (const w of WORKAROUNDS) {
      if (!w.always) continue;
      for (const c of w.find(text)) {
        text = applyEdits(text, editsOf(c));
        record({ ...c, kind: w.kind });
      }
    }
    let tree = parser.parse(text);
    const applied = new Set();
    for (let round = 0; round < 20 && tree.rootNode.hasError; round++) {
      // A candidate is used when an error is on one of its lines: the
      // error node is often next to the construct, not on it.
      const line = (i) => this.pos(i).line;
      const errs = collectSyntaxErrors(tree.rootNode).map((e) => [line(e.node.startIndex), line(e.node.endIndex)]);
      const touches = (c) => errs.some(([s, e]) => s <= line(c.end) && line(c.start) <= e);
      let changed = false;
      for (const w of WORKAROUNDS) {
        if (w.always) continue;
        for (const c of w.find(text)) {
          const key = `${w.kind}:${c.start}`;
          if (applied.has(key) || !touches(c) || inCommentOrString(tree.rootNode, editsOf(c)[0][0])) continue;
          applied.add(key);
          text = applyEdits(text, editsOf(c));
          record({ ...c, kind: w.kind });
          changed = true;
        }
      }
      if (!changed) break;
      tree.delete();
      tree = parser.parse(text);
    }
    this.workarounds.sort((a, b) => a.line - b.line || a.column - b.column);
    return tree;
  }

  analyze(parser) {
    const tree = this.parse(parser);
    try {
      const root = tree.rootNode;
      this.errors = [];
      for (const e of collectSyntaxErrors(root)) this.addError(e.node, e.kind, e.message);
      this.commands = [];
      this.hashtables = [];
      this.members = [];
      this.assignments = [];
      this.functions = [];
      this.cmdIndex = new Map();
      this.htIndex = new Map();
      this.pipelineIds = new Map();
      // Pass 1: number commands and hash literals in document order.
      this.walk(root, (n) => {
        if (n.type === 'command' && !isRangeCommand(n)) this.cmdIndex.set(n.id, this.cmdIndex.size);
        else if (n.type === 'hash_literal_expression') this.htIndex.set(n.id, this.htIndex.size);
        else if (n.type === 'pipeline_chain') this.pipelineIds.set(n.id, this.pipelineIds.size);
      });
      // Pass 2: facts and checks.
      this.walk(root, (n) => this.visit(n));
      this.members.sort((a, b) => a._order - b._order);
      for (const m of this.members) delete m._order;
      for (const a of this.assignments) {
        if (a.command_index !== null && a.variable !== null) this.commands[a.command_index].assigned_to = a.variable;
      }
      this.errors.sort((a, b) => a.line - b.line || a.column - b.column);
      return {
        path: this.path,
        errors: this.errors,
        header: this.header(root),
        script_params: this.paramNames(kids(root).find((k) => k.type === 'param_block')),
        functions: this.functions,
        hashtables: this.hashtables,
        commands: this.commands,
        members: this.members,
        assignments: this.assignments,
        workarounds: this.workarounds,
      };
    } finally {
      tree.delete();
    }
  }

  walk(root, fn) {
    const cursor = root.walk();
    let done = false;
    while (!done) {
      fn(cursor.currentNode);
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
      }
    }
    cursor.delete();
  }

  addError(node, kind, message) {
    const p = this.pos(node.startIndex);
    const e = this.pos(node.endIndex);
    this.errors.push({
      line: p.line,
      column: p.column,
      end_line: e.line,
      end_column: e.column,
      kind,
      message,
      text: truncate(this.text(node)),
    });
  }

  header(root) {
    // Leading comment lines: the lines of the comments before the first token.
    let first = this.src.length;
    const cursor = root.walk();
    for (;;) {
      const n = cursor.currentNode;
      if (n.type !== 'comment' && n.childCount === 0 && n.endIndex > n.startIndex) {
        first = n.startIndex;
        break;
      }
      if (n.type !== 'comment' && cursor.gotoFirstChild()) continue;
      let moved = false;
      while (!(moved = cursor.gotoNextSibling())) {
        if (!cursor.gotoParent()) break;
      }
      if (!moved) break;
    }
    cursor.delete();
    const out = [];
    const seen = new Set();
    for (const c of root.descendantsOfType('comment')) {
      if (c.startIndex >= first) break;
      const from = this.pos(c.startIndex).line;
      const to = this.pos(c.endIndex).line;
      for (let l = from; l <= to; l++) {
        if (seen.has(l)) continue;
        seen.add(l);
        let s = this.src.slice(this.lineStarts[l - 1], l < this.lineStarts.length ? this.lineStarts[l] : this.src.length);
        s = s.replace(/\r?\n$/, '');
        if (l === 1) s = s.replace(/^\uFEFF/, '');
        out.push(s);
      }
    }
    return out;
  }

  paramNames(paramBlock) {
    if (!paramBlock) return [];
    const list = kids(paramBlock).find((k) => k.type === 'parameter_list');
    if (!list) return [];
    return kids(list)
      .filter((k) => k.type === 'script_parameter')
      .map((p) => kids(p).find((k) => k.type === 'variable'))
      .filter(Boolean)
      .map((v) => varName(this.text(v)));
  }

  visit(n) {
    switch (n.type) {
      case 'command':
        if (!isRangeCommand(n)) this.commands.push(this.command(n));
        break;
      case 'hash_literal_expression':
        this.hashtables.push(this.hashtable(n));
        break;
      case 'member_access':
      case 'invokation_expression':
      case 'invokation_foreach_expression':
        this.member(n);
        break;
      case 'assignment_expression':
        this.assignment(n);
        break;
      case 'function_statement':
        this.functionStatement(n);
        break;
      case 'try_statement':
        if (!kids(n).some((k) => k.type === 'catch_clauses' || k.type === 'finally_clause')) {
          this.addError(n, 'check', 'try statement without a catch or finally block');
        }
        break;
      case 'expandable_string_literal':
      case 'expandable_here_string_literal':
        this.checkStringVariables(n);
        break;
      case 'pipeline_chain_tail':
        this.addError(n, 'check', `"${this.text(n)}" between pipelines needs PowerShell 7; Windows PowerShell 5.1 (WinRM) rejects it`);
        break;
    }
  }

  // "$name:" inside a double-quoted string: PowerShell reads a drive-qualified
  // variable and fails ("':' was not followed by a valid variable name character").
  checkStringVariables(n) {
    for (const v of kids(n)) {
      if (v.type !== 'variable') continue;
      const t = this.text(v);
      if (!/^\$[A-Za-z0-9_]+$/.test(t)) continue;
      if (this.src[v.endIndex] !== ':') continue;
      const next = this.src[v.endIndex + 1] ?? '';
      if (/[A-Za-z0-9_?{]/.test(next)) continue;
      this.addError(v, 'check', `invalid variable reference in a string: "${t}:" is read as a drive-qualified variable; write "\${${t.slice(1)}}:" or "$(${t}):"`);
    }
  }

  functionStatement(n) {
    const nameNode = kids(n).find((k) => k.type === 'function_name');
    const decl = kids(n).find((k) => k.type === 'function_parameter_declaration');
    let params = [];
    if (decl) {
      const list = kids(decl).find((k) => k.type === 'parameter_list');
      if (list) {
        params = kids(list)
          .filter((k) => k.type === 'script_parameter')
          .map((p) => kids(p).find((k) => k.type === 'variable'))
          .filter(Boolean)
          .map((v) => varName(this.text(v)));
      }
    } else {
      const sb = kids(n).find((k) => k.type === 'script_block');
      const pb = sb && kids(sb).find((k) => k.type === 'param_block');
      params = this.paramNames(pb);
    }
    this.functions.push({ ...this.lc(n), name: nameNode ? this.text(nameNode) : '', params });
  }

  lc(n) {
    return this.pos(n.startIndex);
  }

  // ---- commands

  command(n) {
    const ks = allKids(n);
    let op = null;
    let nameNode = null;
    let elements = null;
    for (const k of ks) {
      if (k.type === 'command_invokation_operator') op = this.text(k);
      else if (k.type === 'command_name' || k.type === 'command_name_expr') nameNode = k;
      else if (k.type === 'command_elements') elements = k;
    }
    let name = nameNode ? this.text(nameNode) : '';
    if (nameNode) {
      const inner = nameNode.type === 'command_name_expr' ? unwrap(kids(nameNode)[0]) : null;
      if (inner && inner.type === 'string_literal') {
        const v = this.stringValue(inner);
        if (v.kind === 'string') name = v.value;
      }
    }
    const cmd = {
      ...this.lc(n),
      name,
      invocation_operator: op,
      assigned_to: null,
      params: {},
      positional: [],
      splats: [],
      redirections: [],
      pipeline_id: -1,
      pipeline_position: -1,
    };
    // Pipeline membership.
    const chain = n.parent;
    if (chain && chain.type === 'pipeline_chain') {
      cmd.pipeline_id = this.pipelineIds.get(chain.id);
      let pos = 0;
      for (const k of kids(chain)) {
        if (k.id === n.id) break;
        if (k.type !== 'redirections' && k.type !== 'verbatim_command_argument') pos++;
      }
      cmd.pipeline_position = pos;
      // A statement keyword used as a command name (see KEYWORD_COMMANDS).
      const lower = name.toLowerCase();
      if (op === null && KEYWORD_COMMANDS.has(lower) && !(lower === 'foreach' && pos > 0)) {
        this.addError(nameNode, 'check', `"${name}" is a PowerShell keyword, not a command: the statement is malformed`);
      }
    }
    if (elements) this.commandElements(elements, cmd);
    return cmd;
  }

  commandElements(elements, cmd) {
    let pending = null; // {name, colon}
    let colon = false;
    let endOfParams = false;
    let redirect = null;
    const setParam = (p, v) => {
      const key = p.name;
      cmd.params[key] = { name: key, name_lower: key.toLowerCase(), ...v };
    };
    for (const el of kids(elements)) {
      if (el.type === 'command_argument_sep') {
        if (el.endIndex > el.startIndex && this.text(el) === ':') colon = true;
        continue;
      }
      const wasColon = colon;
      colon = false;
      if (el.type === 'generic_token' && this.text(el) === '--' && this.barewords.has(`${el.startIndex}:${el.endIndex}`)) {
        if (pending) setParam(pending, { kind: 'switch' });
        pending = null;
        endOfParams = true;
        continue;
      }
      if (el.type === 'command_parameter' && !endOfParams) {
        const t = this.text(el);
        if (pending) setParam(pending, { kind: 'switch' });
        pending = null;
        if (t === '--') {
          endOfParams = true;
          continue;
        }
        pending = { name: t.replace(/^-+/, '') };
        continue;
      }
      if (el.type === 'redirection') {
        cmd.redirections.push(this.text(el));
        continue;
      }
      const t = this.text(el);
      if (el.type === 'generic_token' && !this.barewords.has(`${el.startIndex}:${el.endIndex}`)) {
        // The grammar reads redirections such as 2>$null or "2>" as bare words.
        if (/^([1-6*]?>>?|[1-6*]>&[12])/.test(t)) {
          cmd.redirections.push(t);
          if (/^[1-6*]?>>?$/.test(t)) redirect = cmd.redirections.length - 1;
          continue;
        }
      }
      if (redirect !== null) {
        cmd.redirections[redirect] += ' ' + t;
        redirect = null;
        continue;
      }
      const u = unwrap(el);
      if (u.type === 'variable' && t.startsWith('@')) {
        cmd.splats.push(varName(t));
        continue;
      }
      const v = this.value(el);
      if (pending && !(KNOWN_SWITCHES.has(pending.name.toLowerCase()) && !wasColon)) {
        setParam(pending, v);
        pending = null;
      } else {
        if (pending) setParam(pending, { kind: 'switch' });
        pending = null;
        cmd.positional.push(v);
      }
    }
    if (pending) setParam(pending, { kind: 'switch' });
  }

  // ---- values

  value(node) {
    const n = unwrap(node);
    const text = this.text(n);
    const base = { text };
    if (this.barewords.has(`${n.startIndex}:${n.endIndex}`)) return { kind: 'string', value: text, text };
    switch (n.type) {
      case 'command_parameter': // after "--"
        return { kind: 'string', value: text, text };
      case 'generic_token':
        if (/^[+-]?[0-9]+(\.[0-9]+)?$/.test(text)) return { kind: 'number', value: text, text };
        if (text.includes('$')) return { kind: 'expandable', value: text, text };
        return { kind: 'string', value: text, text };
      case 'string_literal':
        return { ...this.stringValue(n), text };
      case 'decimal_integer_literal':
      case 'hexadecimal_integer_literal':
      case 'real_literal':
        return { kind: 'number', value: text, text };
      case 'variable':
        return { kind: 'variable', value: varName(text), text };
      case 'hash_literal_expression':
        return { kind: 'hashtable', keys: this.hashKeys(n), index: this.htIndex.get(n.id), text };
      case 'array_literal_expression': {
        const items = kids(n).map((k) => this.value(k));
        return { kind: 'array', values: items.map(itemValue), items, text };
      }
      case 'array_expression': {
        // @('a','b') / @() / @(Get-Thing)
        const stmts = kids(n).find((k) => k.type === 'statement_list');
        if (!stmts) return { kind: 'array', values: [], items: [], text };
        const cmdIdx = this.firstCommand(n);
        if (cmdIdx !== null) return { kind: 'other', value: text, command_index: cmdIdx, text };
        const items = [];
        for (const st of kids(stmts)) {
          const e = this.soleExpression(st);
          if (!e) return { kind: 'other', value: text, text };
          const u = unwrap(e);
          if (u.type === 'array_literal_expression') items.push(...kids(u).map((k) => this.value(k)));
          else items.push(this.value(u));
        }
        return { kind: 'array', values: items.map(itemValue), items, text };
      }
      case 'script_block_expression':
        return { kind: 'scriptblock', value: text, text };
      case 'cast_expression': {
        const tl = kids(n).find((k) => k.type === 'type_literal');
        const cast = tl ? typeName(this.text(tl)) : null;
        const inner = unwrap(kids(n).find((k) => k.type !== 'type_literal'));
        if (inner && inner.type === 'hash_literal_expression') {
          return { kind: 'hashtable', keys: this.hashKeys(inner), index: this.htIndex.get(inner.id), cast, text };
        }
        return { kind: 'other', value: text, cast, text };
      }
      case 'parenthesized_expression':
      case 'sub_expression': {
        const cmdIdx = this.firstCommand(n);
        if (cmdIdx !== null) return { kind: 'other', value: text, command_index: cmdIdx, text };
        return { kind: 'other', value: text, text };
      }
      case 'expression_with_unary_operator': {
        const ks = allKids(n);
        if (ks.length === 2 && (ks[0].type === '-' || ks[0].type === '+')) {
          const inner = unwrap(ks[1]);
          if (/_literal$/.test(inner.type) && inner.type !== 'string_literal') return { kind: 'number', value: text, text };
        }
        return { kind: 'other', value: text, text };
      }
      default:
        return { kind: 'other', value: text, ...base };
    }
  }

  stringValue(n) {
    const k = n.namedChild(0);
    const raw = this.text(k);
    // Decide by the source text: a workaround may have changed the node type
    // (an empty here-string is parsed as "<newline>").
    if (raw.startsWith("@'")) return { kind: 'string', value: hereBody(raw) };
    if (raw.startsWith("'")) return { kind: 'string', value: raw.slice(1, -1).replace(/''/g, "'") };
    const here = raw.startsWith('@"');
    if (here || raw.startsWith('"')) {
      const body = here ? hereBody(raw) : raw.slice(1, -1);
      const dynamic = kids(k).some((c) => c.type === 'variable' || c.type === 'sub_expression');
      if (dynamic) return { kind: 'expandable', value: body };
      return { kind: 'string', value: unescapeDouble(body, !here) };
    }
    return { kind: 'other', value: raw };
  }

  // The expression of a statement that is a plain expression (no command, no assignment).
  soleExpression(st) {
    if (st.type !== 'pipeline') return null;
    const chains = kids(st);
    if (chains.length !== 1 || chains[0].type !== 'pipeline_chain') return null;
    const els = kids(chains[0]);
    if (els.length !== 1 || els[0].type === 'command') return null;
    return els[0];
  }

  // Index of the command that a pipeline, statement or (...)/$(...)/@(...) starts with.
  firstCommand(node) {
    let n = node;
    for (let guard = 0; guard < 100 && n; guard++) {
      n = unwrap(n);
      switch (n.type) {
        case 'pipeline': {
          const k = kids(n)[0];
          if (!k || k.type !== 'pipeline_chain') return null;
          n = k;
          break;
        }
        case 'pipeline_chain': {
          const k = kids(n)[0];
          if (!k) return null;
          if (k.type === 'command') return isRangeCommand(k) ? null : this.cmdIndex.get(k.id);
          n = k;
          const u = unwrap(k);
          if (!['parenthesized_expression', 'sub_expression', 'array_expression'].includes(u.type)) return null;
          break;
        }
        case 'parenthesized_expression': {
          n = kids(n).find((k) => k.type === 'pipeline');
          break;
        }
        case 'sub_expression':
        case 'array_expression': {
          const sl = kids(n).find((k) => k.type === 'statement_list');
          const st = sl ? kids(sl) : [];
          if (st.length !== 1) return null;
          n = st[0];
          break;
        }
        default:
          return null;
      }
    }
    return null;
  }

  // ---- hash literals

  hashKeys(n) {
    return this.hashEntries(n).map((e) => e.key);
  }

  hashEntries(n) {
    const body = kids(n).find((k) => k.type === 'hash_literal_body');
    if (!body) return [];
    const out = [];
    for (const e of kids(body)) {
      if (e.type !== 'hash_entry') continue;
      const ke = kids(e).find((k) => k.type === 'key_expression');
      if (!ke) continue;
      const k = unwrap(ke);
      let key = this.text(k);
      let keyKind = 'other';
      if (k.type === 'simple_name') keyKind = 'string';
      else if (k.type === 'string_literal') {
        const v = this.stringValue(k);
        keyKind = v.kind;
        if (v.kind === 'string') key = v.value;
      } else if (/integer_literal$|real_literal$/.test(k.type)) keyKind = 'number';
      else if (k.type === 'variable') keyKind = 'variable';
      const valueNode = kids(e).find((c) => c.id !== ke.id);
      out.push({ key, key_kind: keyKind, keyNode: k, valueNode, entry: e });
    }
    return out;
  }

  hashtable(n) {
    let cast = null;
    let p = n.parent;
    while (p && WRAPPERS.has(p.type) && p.type !== 'array_literal_expression') p = p.parent;
    if (p && p.type === 'cast_expression') {
      const tl = kids(p).find((k) => k.type === 'type_literal');
      if (tl) cast = typeName(this.text(tl));
    }
    const entries = this.hashEntries(n);
    const seen = new Map();
    for (const e of entries) {
      if (e.key_kind !== 'string' && e.key_kind !== 'number') continue;
      const lk = e.key.toLowerCase();
      if (seen.has(lk)) this.addError(e.keyNode, 'check', `duplicate key "${e.key}" in a hash literal`);
      seen.set(lk, true);
    }
    return {
      ...this.lc(n),
      ordered: cast !== null && cast.toLowerCase() === 'ordered',
      cast,
      keys: entries.map((e) => e.key),
      entries: entries.map((e) => ({
        ...this.lc(e.entry),
        key: e.key,
        key_kind: e.key_kind,
        value: this.statementValue(e.valueNode),
      })),
    };
  }

  statementValue(st) {
    if (!st) return { kind: 'other', value: '', text: '' };
    const e = this.soleExpression(st);
    if (e) return this.value(e);
    const text = this.text(st);
    const cmdIdx = this.firstCommand(st);
    if (cmdIdx !== null) return { kind: 'other', value: text, command_index: cmdIdx, text };
    return { kind: 'other', value: text, text };
  }

  // ---- member access

  member(n) {
    const ks = allKids(n);
    if (ks.some((k) => k.type === '::')) return; // static: [Type]::Member
    let targetNode;
    let name;
    let dynamic = false;
    let order;
    if (n.type === 'invokation_foreach_expression') {
      targetNode = ks[0];
      const sb = ks.find((k) => k.type === 'script_block_expression');
      name = this.src.slice(targetNode.endIndex, sb ? sb.startIndex : n.endIndex).trim().replace(/^\./, '').trim();
      order = targetNode.endIndex;
    } else {
      if (ks[0] && ks[0].type === 'invokation_foreach_expression') return;
      targetNode = ks[0];
      const mn = ks.find((k) => k.type === 'member_name');
      if (!targetNode || !mn) return;
      order = mn.startIndex;
      const inner = unwrap(mn);
      name = this.text(mn);
      if (inner.type === 'string_literal') {
        const v = this.stringValue(inner);
        if (v.kind === 'string') name = v.value;
        else dynamic = true;
      } else if (inner.type !== 'simple_name') {
        dynamic = true;
      }
    }
    const m = {
      ...this.lc(n.type === 'invokation_foreach_expression' ? n : ks.find((k) => k.type === 'member_name') || n),
      target: this.target(targetNode),
      member: name,
      invoked: n.type !== 'member_access',
      _order: order,
    };
    if (dynamic) m.dynamic = true;
    this.members.push(m);
  }

  target(node) {
    const n = unwrap(node);
    if (n.type === 'variable') return { kind: 'variable', value: varName(this.text(n)) };
    if (['parenthesized_expression', 'sub_expression', 'array_expression'].includes(n.type)) {
      const idx = this.firstCommand(n);
      if (idx !== null) return { kind: 'command', index: idx };
    }
    return { kind: 'other', text: truncate(this.text(n)) };
  }

  // ---- assignments

  assignment(n) {
    const ks = allKids(n);
    const left = ks.find((k) => k.type === 'left_assignment_expression');
    const opNode = ks.find((k) => k.type === 'assignement_operator');
    const valueNode = n.childForFieldName('value');
    let l = left ? unwrap(left) : null;
    if (l && l.type === 'cast_expression') l = unwrap(kids(l).find((k) => k.type !== 'type_literal'));
    const variable = l && l.type === 'variable' && !this.text(l).startsWith('@') ? varName(this.text(l)) : null;
    const a = {
      ...this.lc(n),
      variable,
      operator: opNode ? this.text(opNode) : '=',
      value_kind: 'other',
      command_index: null,
    };
    if (variable === null) a.target = truncate(left ? this.text(left) : '');
    if (valueNode) {
      const cmdIdx = this.firstCommand(valueNode);
      if (cmdIdx !== null && cmdIdx !== undefined) {
        a.value_kind = 'command';
        a.command_index = cmdIdx;
      } else {
        const e = this.soleExpression(valueNode);
        if (e) {
          const v = this.value(e);
          if (v.kind === 'variable') {
            a.value_kind = 'variable';
            a.value_variable = v.value;
          }
          if (v.kind === 'hashtable') a.hashtable_index = v.index;
          a.value = v;
        }
      }
    }
    this.assignments.push(a);
  }
}

function itemValue(v) {
  return v.kind === 'string' || v.kind === 'number' || v.kind === 'variable' || v.kind === 'expandable' ? v.value : v.text;
}

function varName(t) {
  if (t.startsWith('${') && t.endsWith('}')) return t.slice(2, -1);
  return t.replace(/^[$@]/, '');
}

function typeName(t) {
  return t.replace(/^\[\s*/, '').replace(/\s*\]$/, '');
}

function hereBody(raw) {
  // @"<spaces><newline>body<newline>"@
  const start = raw.indexOf('\n') + 1;
  let end = raw.length - 2;
  if (raw[end - 1] === '\n') end--;
  if (raw[end - 1] === '\r') end--;
  return start > end ? '' : raw.slice(start, end);
}

function unescapeDouble(body, quoted) {
  const map = { '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
  let s = body.replace(/`(\r?\n|.)/g, (_, c) => (c in map ? map[c] : c.startsWith('\n') || c.startsWith('\r') ? '' : c));
  if (quoted) s = s.replace(/""/g, '"');
  return s;
}

// ---------------------------------------------------------------------------
// Main

function readStdin() {
  return fs.readFileSync(0, 'utf8');
}

export async function parseFiles(files) {
  const parser = await loadParser();
  try {
    return { files: files.map((f) => new FileAnalysis(f.path, f.text).analyze(parser)) };
  } finally {
    parser.delete();
  }
}

async function main(argv) {
  let pretty = false;
  let stdinJSON = false;
  const paths = [];
  for (const a of argv) {
    if (a === '--pretty') pretty = true;
    else if (a === '--stdin-json') stdinJSON = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node psparse.mjs [--pretty] (--stdin-json | file.ps1...)\n');
      return 0;
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else paths.push(a);
  }
  let files;
  if (stdinJSON) {
    if (paths.length) throw new UsageError('--stdin-json takes no file arguments');
    let doc;
    try {
      doc = JSON.parse(readStdin());
    } catch (e) {
      throw new UsageError(`--stdin-json: bad JSON on stdin: ${e.message}`);
    }
    if (!doc || !Array.isArray(doc.files)) throw new UsageError('--stdin-json: want {"files":[{"path":...,"text":...}]}');
    files = doc.files.map((f, i) => {
      if (!f || typeof f.text !== 'string') throw new UsageError(`--stdin-json: files[${i}].text is not a string`);
      return { path: typeof f.path === 'string' ? f.path : `stdin[${i}]`, text: f.text };
    });
  } else {
    if (!paths.length) throw new UsageError('no input: give .ps1 files or --stdin-json');
    files = paths.map((p) => {
      try {
        return { path: p, text: fs.readFileSync(p, 'utf8') };
      } catch (e) {
        throw new UsageError(`cannot read ${p}: ${e.message}`);
      }
    });
  }
  const out = await parseFiles(files);
  const json = pretty ? JSON.stringify(out, null, 2) : JSON.stringify(out);
  await new Promise((resolve, reject) => process.stdout.write(json + '\n', (err) => (err ? reject(err) : resolve())));
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`psparse: ${err instanceof UsageError ? err.message : err.stack || err}\n`);
      process.exitCode = 2;
    },
  );
}
