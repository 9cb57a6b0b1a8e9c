// Finds a route module's exported loader and action however they are written, with TypeScript's
// own parser: `export async function loader`, `export const loader = async () => …`, a function
// expression, a reference to another function (`export const loader = methodNotAllowed`), or a
// re-export (`export { x as loader }`). A form it cannot read is reported as such, never skipped.
import ts from 'typescript'

export type HandlerName = 'loader' | 'action'

export type Handler =
  /** A function written in the module: its body's text and its first statement's text. */
  | { kind: 'function'; body: string; firstStatement: string }
  /** `export const loader = someFunction`: the referenced name, guarded or not by what it is. */
  | { kind: 'reference'; name: string }
  /** Anything else (a call's result, an object, a re-export from elsewhere): cannot be checked. */
  | { kind: 'unreadable'; text: string }

function functionOf(node: ts.Node, source: ts.SourceFile, local: Map<string, ts.Node>, seen = new Set<string>()): Handler {
  if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)) {
    if (!node.body) return { kind: 'unreadable', text: node.getText(source) }
    if (!ts.isBlock(node.body)) {
      // `(args) => answerAfterBody(request, () => …)` or `(args) => upload(args)`: read the function it runs.
      const runs = delegatedTo(node.body, local)
      if (runs) return functionOf(runs, source, local, seen)
      // `async () => expr`: the expression is the whole body and its first statement.
      const text = node.body.getText(source)
      return { kind: 'function', body: text, firstStatement: text }
    }
    const first = node.body.statements[0]
    return { kind: 'function', body: node.body.getText(source).slice(1, -1), firstStatement: first ? first.getText(source) : '' }
  }
  if (ts.isIdentifier(node)) {
    // A function of this module is read where it is written; an imported one is named.
    const target = local.get(node.text)
    if (target && !seen.has(node.text)) return functionOf(target, source, local, new Set([...seen, node.text]))
    return { kind: 'reference', name: node.text }
  }
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return functionOf(node.expression, source, local, seen)
  return { kind: 'unreadable', text: node.getText(source) }
}

/** Wrappers that take the handler as their last argument and run it (answering once the body is read). */
const WRAPPERS = new Set(['answerAfterBody'])

/**
 * The function an expression body only hands over to: the last argument of a known wrapper, or a
 * function of this module called directly. Anything else is not a hand-over.
 */
function delegatedTo(body: ts.Expression, local: Map<string, ts.Node>): ts.Node | null {
  if (!ts.isCallExpression(body) || !ts.isIdentifier(body.expression)) return null
  const callee = body.expression.text
  if (WRAPPERS.has(callee)) return body.arguments.at(-1) ?? null
  const target = local.get(callee)
  return target && (ts.isFunctionDeclaration(target) || ts.isArrowFunction(target) || ts.isFunctionExpression(target)) ? target : null
}

const isExported = (node: ts.Node) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)

/** The module's exported handler of that name, or null when it exports none. */
export function routeHandler(code: string, name: HandlerName, fileName = 'route.tsx'): Handler | null {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  // The module's own functions and constants, wherever they are declared.
  const local = new Map<string, ts.Node>()
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) local.set(statement.name.text, statement)
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.initializer) local.set(declaration.name.text, declaration.initializer)
      }
    }
  }
  let found: Handler | null = null
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name && isExported(statement)) {
      found = functionOf(statement, source, local)
    } else if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== name) continue
        found = declaration.initializer ? functionOf(declaration.initializer, source, local, new Set([name])) : { kind: 'unreadable', text: declaration.getText(source) }
      }
    } else if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const specifier of statement.exportClause.elements) {
        if (specifier.name.text !== name) continue
        // Re-exported from another module: its body is not here to check.
        if (statement.moduleSpecifier) found = { kind: 'unreadable', text: statement.getText(source) }
        else found = functionOf(ts.factory.createIdentifier((specifier.propertyName ?? specifier.name).text), source, local)
      }
    }
  }
  return found
}
