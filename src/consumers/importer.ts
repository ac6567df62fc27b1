/**
 * Imports a consumer-contract from a TypeScript client of the fleet (written like the studio's
 * `libs/business/src/services/modal-client.ts` in jatidevelopments/ryla@57209b5), with the
 * TypeScript compiler API — the AST and the type checker, no pattern matching on source text:
 *
 * - the endpoint→app map and the per-endpoint timeout map: module-level object literals keyed by
 *   route paths, whose values are app names (strings) or milliseconds (numeric expressions);
 * - the default timeout: `this.timeout = config.timeout || 180000` in the constructor;
 * - the call primitive: the class method that calls `fetch` (its HTTP method, `redirect` option,
 *   the response headers it reads, how it reads the body, where its deadline comes from);
 * - the calls: every method that passes a literal path to the primitive (directly or through
 *   another method), with the request type of the body it sends (property names, optional or
 *   required, types), and fetches of a literal URL (e.g. a health check);
 * - what it could not resolve: computed paths, methods that throw instead of calling, open index
 *   signatures, types it could not see.
 */
import path from 'node:path';
import ts from 'typescript';
import type { Consumer, ConsumerCall, ExampleValue, FieldSpec, FieldType } from './contract.ts';

export interface ImportOptions {
  name: string;
  /** Directory the written file will live in: `$file` references are made relative to it. */
  outDir: string;
  /** genprobe's fixtures directory (media for examples). */
  fixturesDir: string;
  /** Path recorded as the consumer's source (default: the file as given). */
  sourceLabel?: string;
}

export interface ImportResult {
  consumer: Consumer;
  unresolved: string[];
}

interface Primitive {
  name: string;
  httpMethod: 'GET' | 'POST';
  followsRedirects: boolean;
  headers: string[];
  body: ConsumerCall['reads']['body'];
  /** How the deadline is found: a constant, or per path from the timeout map with the default. */
  timeout: { kind: 'const'; ms: number } | { kind: 'per-path' } | { kind: 'unknown'; why: string };
  /** A fetch of a literal URL (no path parameter): the call it makes. */
  literalUrl?: { app: string; path: string };
}

interface Ctx {
  sf: ts.SourceFile;
  checker: ts.TypeChecker;
  unresolved: string[];
  appMap: Map<string, string>;
  timeoutMap: Map<string, number>;
  defaultTimeoutMs?: number;
  opts: ImportOptions;
  label: string;
  /** Request types with a string index signature, reported once at the end. */
  openTypes: Set<string>;
}

export function importTsClient(file: string, opts: ImportOptions): ImportResult {
  const program = ts.createProgram([file], { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, noEmit: true, skipLibCheck: true, types: [], noResolve: true });
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`${file}: TypeScript could not read the file`);
  const label = opts.sourceLabel ?? file;
  const ctx: Ctx = { sf, checker: program.getTypeChecker(), unresolved: [], appMap: new Map(), timeoutMap: new Map(), opts, label, openTypes: new Set() };
  readMaps(ctx);
  const classes = sf.statements.filter(ts.isClassDeclaration);
  if (classes.length === 0) throw new Error(`${file}: no class found (expected a client class whose methods call fetch)`);
  const calls: ConsumerCall[] = [];
  for (const cls of classes) calls.push(...importClass(ctx, cls));
  if (ctx.openTypes.size) ctx.unresolved.push(`request types with a string index signature (Record<string, unknown>), so fields beyond the declared ones are possible and not imported: ${[...ctx.openTypes].join(', ')}`);
  if (calls.length === 0) ctx.unresolved.push(`${label}: no calls found (no method passes a literal path to a method that calls fetch)`);
  return { consumer: { name: opts.name, source: label, calls, unresolved: ctx.unresolved }, unresolved: ctx.unresolved };
}

// ------------------------------------------------------------------------------------ maps

function propName(ctx: Ctx, name: ts.PropertyName): string | undefined {
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isIdentifier(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  ctx.unresolved.push(`${where(ctx, name)}: computed key ${name.getText(ctx.sf)} not resolved`);
  return undefined;
}

/** A numeric constant expression: literals, + - * /, parentheses, `600_000`, and `const` names bound to one. */
function evalNumber(ctx: Ctx, e: ts.Expression, depth = 0): number | undefined {
  if (ts.isNumericLiteral(e)) return Number(e.text);
  if (ts.isParenthesizedExpression(e)) return evalNumber(ctx, e.expression, depth);
  if (ts.isIdentifier(e) && depth < 8) {
    const decl = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return evalNumber(ctx, decl.initializer, depth + 1);
    return undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const l = evalNumber(ctx, e.left, depth);
    const r = evalNumber(ctx, e.right, depth);
    if (l === undefined || r === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken: return l + r;
      case ts.SyntaxKind.MinusToken: return l - r;
      case ts.SyntaxKind.AsteriskToken: return l * r;
      case ts.SyntaxKind.SlashToken: return l / r;
      default: return undefined;
    }
  }
  return undefined;
}

/** Module-level `const X = { '/path': 'app' | ms, … }` objects keyed by route paths. */
function readMaps(ctx: Ctx): void {
  for (const st of ctx.sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const decl of st.declarationList.declarations) {
      const init = decl.initializer && unwrap(decl.initializer);
      if (!init || !ts.isObjectLiteralExpression(init)) continue;
      const strings = new Map<string, string>();
      const numbers = new Map<string, number>();
      let pathKeys = 0;
      for (const p of init.properties) {
        if (!ts.isPropertyAssignment(p)) continue;
        const key = propName(ctx, p.name);
        if (key === undefined) continue;
        if (key.startsWith('/')) pathKeys++;
        const v = unwrap(p.initializer);
        if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) strings.set(key, v.text);
        else {
          const n = evalNumber(ctx, v);
          if (n !== undefined) numbers.set(key, n);
          else if (key.startsWith('/')) ctx.unresolved.push(`${where(ctx, p)}: value of ${key} in ${decl.name.getText(ctx.sf)} is not a literal (${v.getText(ctx.sf)})`);
        }
      }
      if (pathKeys === 0 || pathKeys < init.properties.length / 2) continue;
      const name = decl.name.getText(ctx.sf);
      if (strings.size && !ctx.appMap.size) ctx.appMap = strings;
      else if (numbers.size && !ctx.timeoutMap.size) ctx.timeoutMap = numbers;
      else if (strings.size || numbers.size) ctx.unresolved.push(`${where(ctx, decl)}: second path-keyed map ${name} ignored`);
    }
  }
  if (!ctx.appMap.size) ctx.unresolved.push(`${ctx.label}: no endpoint→app map (an object literal keyed by paths with app-name values)`);
}

// ------------------------------------------------------------------------------------ class

function importClass(ctx: Ctx, cls: ts.ClassDeclaration): ConsumerCall[] {
  const methods = new Map<string, ts.MethodDeclaration>();
  for (const m of cls.members) if (ts.isMethodDeclaration(m) && m.body) methods.set(m.name.getText(ctx.sf), m);
  ctx.defaultTimeoutMs = defaultTimeout(ctx, cls);
  const primitives = new Map<string, Primitive>();
  for (const [name, m] of methods) {
    const fetchCall = find(m.body!, (n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'fetch');
    if (fetchCall) primitives.set(name, readPrimitive(ctx, name, m, fetchCall, methods));
  }
  const calls: ConsumerCall[] = [];
  for (const [name, p] of primitives) if (p.literalUrl) calls.push(literalCall(ctx, name, p, methods.get(name)!));
  for (const [name, m] of methods) {
    if (primitives.has(name) || isPrivate(m)) continue;
    const target = resolveTarget(ctx, m, methods, primitives, new Set());
    if (!target) {
      const throws = find(m.body!, ts.isThrowStatement);
      if (ctx.unresolved.some((u) => u.includes(`${name}() passes a computed path`))) continue;
      ctx.unresolved.push(`${where(ctx, m)}: ${name}() ${throws ? 'throws instead of calling an endpoint' : 'makes no call to a fetching method with a literal path'}`);
      continue;
    }
    calls.push(buildCall(ctx, name, m, target.path, target.body, primitives.get(target.primitive)!));
  }
  return calls;
}

function isPrivate(m: ts.MethodDeclaration): boolean {
  return (ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) !== 0 || ts.isPrivateIdentifier(m.name);
}

/** `this.timeout = config.timeout || 180000` (or `??`) in the constructor. */
function defaultTimeout(ctx: Ctx, cls: ts.ClassDeclaration): number | undefined {
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  if (!ctor?.body) return undefined;
  const assign = find(ctor.body, (n): n is ts.BinaryExpression => ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && n.left.expression.kind === ts.SyntaxKind.ThisKeyword && n.left.name.text.toLowerCase().includes('timeout'));
  if (!assign) return undefined;
  const rhs = unwrap(assign.right);
  const n = evalNumber(ctx, rhs) ?? (ts.isBinaryExpression(rhs) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(rhs.operatorToken.kind) ? evalNumber(ctx, unwrap(rhs.right)) : undefined);
  if (n === undefined) ctx.unresolved.push(`${where(ctx, assign)}: default timeout ${rhs.getText(ctx.sf)} not resolved`);
  else ctx.unresolved.push(`${where(ctx, assign)}: default timeout ${n} ms is the constructor's fallback; callers may pass another (config.timeout)`);
  return n;
}

function readPrimitive(ctx: Ctx, name: string, m: ts.MethodDeclaration, fetchCall: ts.CallExpression, methods: Map<string, ts.MethodDeclaration>): Primitive {
  const options = fetchCall.arguments[1] && unwrap(fetchCall.arguments[1]);
  const optProps = options && ts.isObjectLiteralExpression(options) ? options.properties.filter(ts.isPropertyAssignment) : [];
  const opt = (key: string) => optProps.find((p) => propName(ctx, p.name) === key)?.initializer;
  const methodInit = opt('method');
  const httpMethod = methodInit && ts.isStringLiteral(methodInit) ? methodInit.text.toUpperCase() : 'GET';
  if (httpMethod !== 'GET' && httpMethod !== 'POST') ctx.unresolved.push(`${where(ctx, fetchCall)}: HTTP method ${httpMethod} not supported`);
  const redirect = opt('redirect');
  const headers = new Set<string>();
  let body: Primitive['body'] = 'none';
  visit(m.body!, (n) => {
    if (!ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) return;
    const callee = n.expression;
    if (callee.name.text === 'get' && ts.isPropertyAccessExpression(callee.expression) && callee.expression.name.text === 'headers') {
      const a = n.arguments[0];
      if (a && ts.isStringLiteral(a)) headers.add(a.text.toLowerCase());
      else if (a) ctx.unresolved.push(`${where(ctx, n)}: header name ${a.getText(ctx.sf)} is not a literal`);
    }
    if (!onErrorPath(n)) {
      if (callee.name.text === 'arrayBuffer' || callee.name.text === 'blob') body = 'binary';
      else if (callee.name.text === 'json' && body !== 'binary') body = 'json';
      else if (callee.name.text === 'text' && body === 'none') body = 'text';
    }
  });
  return {
    name,
    httpMethod: httpMethod === 'POST' ? 'POST' : 'GET',
    followsRedirects: !(redirect && ts.isStringLiteral(redirect) && redirect.text !== 'follow'),
    headers: [...headers],
    body,
    timeout: deadlineOf(ctx, m, fetchCall, opt('signal'), methods),
    literalUrl: literalUrlOf(ctx, localValue(ctx, m, fetchCall.arguments[0])),
  };
}

/** Inside `if (!response.ok) { … }`: error handling, not what the call reads on success. */
function onErrorPath(n: ts.Node): boolean {
  for (let p: ts.Node | undefined = n.parent; p; p = p.parent) {
    if (ts.isIfStatement(p) && ts.isPrefixUnaryExpression(p.expression) && p.expression.operator === ts.SyntaxKind.ExclamationToken) {
      const operand = p.expression.operand;
      if (ts.isPropertyAccessExpression(operand) && operand.name.text === 'ok') return true;
    }
  }
  return false;
}

/** `signal: AbortSignal.timeout(N)`, or `setTimeout(() => controller.abort(), X)` with X a constant or `this.m(path)` reading the timeout map. */
function deadlineOf(ctx: Ctx, m: ts.MethodDeclaration, fetchCall: ts.CallExpression, signal: ts.Expression | undefined, methods: Map<string, ts.MethodDeclaration>): Primitive['timeout'] {
  if (signal && ts.isCallExpression(signal) && ts.isPropertyAccessExpression(signal.expression) && signal.expression.name.text === 'timeout' && signal.arguments[0]) {
    const ms = evalNumber(ctx, signal.arguments[0]);
    if (ms !== undefined) return { kind: 'const', ms };
  }
  const timer = find(m.body!, (n): n is ts.CallExpression => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'setTimeout');
  const arg = timer?.arguments[1];
  if (!arg) return { kind: 'unknown', why: `${where(ctx, fetchCall)}: no deadline (no AbortSignal.timeout or setTimeout abort)` };
  const constant = evalNumber(ctx, arg);
  if (constant !== undefined) return { kind: 'const', ms: constant };
  let source: ts.Expression | undefined = arg;
  if (ts.isIdentifier(arg)) {
    const decl = find(m.body!, (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText(ctx.sf) === arg.text);
    source = decl?.initializer;
  }
  if (source && ts.isCallExpression(source) && ts.isPropertyAccessExpression(source.expression) && source.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const helper = methods.get(source.expression.name.text);
    if (helper && ctx.timeoutMap.size && find(helper.body!, (n) => ts.isElementAccessExpression(n))) return { kind: 'per-path' };
  }
  return { kind: 'unknown', why: `${where(ctx, arg)}: deadline ${arg.getText(ctx.sf)} not resolved` };
}

/** An identifier's initializer when it is a local `const` of the method (`const url = …; fetch(url)`). */
function localValue(ctx: Ctx, m: ts.MethodDeclaration, e: ts.Expression | undefined): ts.Expression | undefined {
  if (!e || !ts.isIdentifier(e)) return e;
  const decl = find(m.body!, (n): n is ts.VariableDeclaration => ts.isVariableDeclaration(n) && n.name.getText(ctx.sf) === e.text);
  return decl?.initializer ?? e;
}

/** `https://${ws}--ryla-flux-comfyui-fastapi-app.modal.run/health`: the app and path of a literal URL. */
function literalUrlOf(ctx: Ctx, arg: ts.Expression | undefined): Primitive['literalUrl'] {
  if (!arg) return undefined;
  const e = unwrap(arg);
  let tail: string | undefined;
  if (ts.isTemplateExpression(e)) tail = e.templateSpans[e.templateSpans.length - 1].literal.text;
  else if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) tail = e.text;
  if (tail === undefined) return undefined;
  const host = tail.indexOf('.modal.run');
  if (host < 0) return undefined;
  const label = tail.slice(0, host).split('.').pop()!.split('--').pop()!;
  const app = label.endsWith('-comfyui-fastapi-app') ? label.slice(0, -'-comfyui-fastapi-app'.length) : label;
  if (!app) {
    ctx.unresolved.push(`${where(ctx, arg)}: app of URL ${e.getText(ctx.sf)} not resolved`);
    return undefined;
  }
  return { app, path: tail.slice(host + '.modal.run'.length) || '/' };
}

interface Target {
  primitive: string;
  path: string;
  body: ts.Expression | undefined;
}

/** The primitive a method reaches with a literal path, through other methods of the class if need be. */
function resolveTarget(ctx: Ctx, m: ts.MethodDeclaration, methods: Map<string, ts.MethodDeclaration>, primitives: Map<string, Primitive>, seen: Set<string>): Target | undefined {
  const name = m.name.getText(ctx.sf);
  if (seen.has(name)) return undefined;
  seen.add(name);
  let target: Target | undefined;
  visit(m.body!, (n) => {
    if (target || !ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression) || n.expression.expression.kind !== ts.SyntaxKind.ThisKeyword) return;
    const callee = n.expression.name.text;
    if (primitives.has(callee) && !primitives.get(callee)!.literalUrl) {
      const p = n.arguments[0] && unwrap(n.arguments[0]);
      if (p && (ts.isStringLiteral(p) || ts.isNoSubstitutionTemplateLiteral(p))) target = { primitive: callee, path: p.text, body: n.arguments[1] };
      else if (p) ctx.unresolved.push(`${where(ctx, n)}: ${name}() passes a computed path (${p.getText(ctx.sf)}) to ${callee}(): any route, not imported`);
      return;
    }
    const next = methods.get(callee);
    if (next && !primitives.has(callee)) {
      const inner = resolveTarget(ctx, next, methods, primitives, seen);
      // The payload is what this method passes on (the caller's object), not the callee's parameter type.
      if (inner) target = { ...inner, body: n.arguments[0] ?? inner.body };
    }
  });
  return target;
}

// ------------------------------------------------------------------------------------ calls

function literalCall(ctx: Ctx, name: string, p: Primitive, m: ts.MethodDeclaration): ConsumerCall {
  const { app, path: route } = p.literalUrl!;
  return {
    method: name,
    app,
    path: route,
    httpMethod: p.httpMethod,
    fields: {},
    example: {},
    reads: { body: p.body, headers: p.headers },
    timeoutMs: timeoutFor(ctx, name, route, p),
    followsRedirects: p.followsRedirects,
    source: where(ctx, m),
  };
}

function buildCall(ctx: Ctx, name: string, m: ts.MethodDeclaration, route: string, bodyExpr: ts.Expression | undefined, p: Primitive): ConsumerCall {
  const app = ctx.appMap.get(route);
  if (!app) ctx.unresolved.push(`${where(ctx, m)}: ${name}() calls ${route}, which the endpoint→app map does not list (the client falls back to its default URL)`);
  const fields = bodyExpr ? requestFields(ctx, name, bodyExpr) : {};
  return {
    method: name,
    app: app ?? 'unknown',
    path: route,
    httpMethod: p.httpMethod,
    fields,
    example: exampleFor(ctx, fields),
    reads: { body: p.body, headers: p.headers },
    timeoutMs: timeoutFor(ctx, name, route, p),
    followsRedirects: p.followsRedirects,
    source: where(ctx, m),
  };
}

function timeoutFor(ctx: Ctx, name: string, route: string, p: Primitive): number {
  if (p.timeout.kind === 'const') return p.timeout.ms;
  if (p.timeout.kind === 'per-path') {
    const ms = ctx.timeoutMap.get(route) ?? ctx.defaultTimeoutMs;
    if (ms !== undefined) return ms;
  }
  ctx.unresolved.push(`${name}(): timeout not resolved${p.timeout.kind === 'unknown' ? ` (${p.timeout.why})` : ''}; recorded as Modal's 150 s window`);
  return 150_000;
}

/** The request type the call sends: every property of the body expression's type. */
function requestFields(ctx: Ctx, method: string, bodyExpr: ts.Expression): Record<string, FieldSpec> {
  const { checker } = ctx;
  const inner = stripCasts(bodyExpr);
  const type = checker.getTypeAtLocation(inner);
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) {
    ctx.unresolved.push(`${where(ctx, bodyExpr)}: ${method}() sends ${inner.getText(ctx.sf)} of type ${checker.typeToString(type)}: fields not resolved`);
    return {};
  }
  if (checker.getIndexInfoOfType(type, ts.IndexKind.String)) ctx.openTypes.add(checker.typeToString(type));
  const fields: Record<string, FieldSpec> = {};
  for (const prop of checker.getPropertiesOfType(type)) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    const t = checker.getTypeOfSymbolAtLocation(prop, decl ?? inner);
    const spec = fieldSpec(ctx, method, prop.name, t);
    const optional = (prop.flags & ts.SymbolFlags.Optional) !== 0;
    fields[prop.name] = { ...spec, required: !optional, ...(isMedia(ctx, prop.name, decl) ? { media: true } : {}) };
  }
  return fields;
}

function fieldSpec(ctx: Ctx, method: string, name: string, type: ts.Type): Omit<FieldSpec, 'required'> {
  const { checker } = ctx;
  let parts = type.isUnion() ? type.types : [type];
  parts = parts.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void)));
  const literals = parts.filter((t) => t.isStringLiteral() || t.isNumberLiteral());
  if (parts.length && parts.every((t) => t.flags & ts.TypeFlags.BooleanLike)) return { type: 'boolean' };
  if (literals.length && literals.length === parts.length) {
    return { type: literals[0].isStringLiteral() ? 'string' : 'number', enum: literals.map((t) => (t as ts.LiteralType).value as string | number) };
  }
  if (parts.length !== 1) {
    ctx.unresolved.push(`${method}(): field ${name} has union type ${checker.typeToString(type)}; recorded as unknown`);
    return { type: 'unknown' };
  }
  const t = parts[0];
  const kind = primitiveKind(checker, t);
  if (kind === 'array') {
    const elem = checker.getTypeArguments(t as ts.TypeReference)[0];
    return { type: 'array', items: elem ? primitiveKind(checker, elem) : 'unknown' };
  }
  if (kind === 'unknown') ctx.unresolved.push(`${method}(): field ${name} has type ${checker.typeToString(t)}; recorded as unknown`);
  return { type: kind };
}

function primitiveKind(checker: ts.TypeChecker, t: ts.Type): FieldType {
  if (t.flags & ts.TypeFlags.StringLike) return 'string';
  if (t.flags & ts.TypeFlags.NumberLike) return 'number';
  if (t.flags & ts.TypeFlags.BooleanLike) return 'boolean';
  if (checker.isArrayType(t)) return 'array';
  if (t.flags & ts.TypeFlags.Object) return 'object';
  return 'unknown';
}

const MEDIA_WORDS = new Set(['image', 'images', 'video', 'videos', 'mask']);

/** Media by its comment (`// base64 data URL`) or its name (`*_image`, `*_video(s)`, `image`). */
function isMedia(ctx: Ctx, name: string, decl: ts.Declaration | undefined): boolean {
  if (decl) {
    const text = ctx.sf.text;
    const ranges = [...(ts.getTrailingCommentRanges(text, decl.getEnd()) ?? []), ...(ts.getLeadingCommentRanges(text, decl.getFullStart()) ?? [])];
    const comment = ranges.map((r) => text.slice(r.pos, r.end).toLowerCase()).join(' ');
    if (comment.includes('base64') || comment.includes('data url')) return true;
  }
  const words = name.toLowerCase().split('_');
  return MEDIA_WORDS.has(words[words.length - 1]);
}

// ------------------------------------------------------------------------------------ examples

const TEXT_FIELDS: Record<string, string> = {
  prompt: 'a portrait photo of a woman, soft studio light',
  instruction: 'make the background a sunny beach',
  scene: 'a sunny beach at golden hour',
};

/** One real payload: every required field, media as fixture files. */
function exampleFor(ctx: Ctx, fields: Record<string, FieldSpec>): Record<string, ExampleValue> {
  const out: Record<string, ExampleValue> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (!f.required) continue;
    out[name] = exampleValue(ctx, name, f);
  }
  return out;
}

function exampleValue(ctx: Ctx, name: string, f: FieldSpec): ExampleValue {
  if (f.enum) return f.enum[0] as string | number;
  if (f.media) return f.type === 'array' ? [mediaFile(ctx, name)] : mediaFile(ctx, name);
  switch (f.type) {
    case 'string':
      return TEXT_FIELDS[name] ?? (name.endsWith('_id') ? 'genprobe-probe' : 'example');
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    default:
      return {};
  }
}

/** A fixture matching the field: a video, a mask, or the reference portrait. */
function mediaFile(ctx: Ctx, name: string): ExampleValue {
  const n = name.toLowerCase();
  const file = n.includes('video') ? 'media/portrait.mp4' : n.includes('mask') ? 'media/mask-center.png' : n.startsWith('source') ? 'scenes/chelsea.png' : 'faces/astronaut.png';
  return { $file: path.relative(ctx.opts.outDir, path.join(ctx.opts.fixturesDir, file)).split(path.sep).join('/') };
}

// ------------------------------------------------------------------------------------ AST helpers

function unwrap(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
  return e;
}

/** `input as ModalWan26Request` sends `input`: its own type says which fields really go out. */
function stripCasts(e: ts.Expression): ts.Expression {
  return unwrap(e);
}

function visit(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  node.forEachChild((c) => visit(c, fn));
}

function find<T extends ts.Node>(node: ts.Node, pred: (n: ts.Node) => n is T): T | undefined;
function find(node: ts.Node, pred: (n: ts.Node) => boolean): ts.Node | undefined;
function find(node: ts.Node, pred: (n: ts.Node) => boolean): ts.Node | undefined {
  let hit: ts.Node | undefined;
  const walk = (n: ts.Node): void => {
    if (hit) return;
    if (pred(n)) hit = n;
    else n.forEachChild(walk);
  };
  walk(node);
  return hit;
}

function where(ctx: Ctx, node: ts.Node): string {
  const { line } = ctx.sf.getLineAndCharacterOfPosition(node.getStart(ctx.sf));
  return `${ctx.label}:${line + 1}`;
}
