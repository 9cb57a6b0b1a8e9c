// What in the e2e server's log fails the run: every line at level error, and every line that is
// not one of our JSON log lines (an uncaught exception's stack, a runtime or library warning on
// stderr). The specs drive the server as users would, and none of that should ever print.
export function serverLogProblems(log: string): string[] {
  const problems: string[] = []
  for (const line of log.split('\n')) {
    if (!line.trim()) continue
    let entry: unknown
    try {
      entry = JSON.parse(line)
    } catch {
      problems.push(line)
      continue
    }
    const level = typeof entry === 'object' && entry !== null ? (entry as { level?: unknown }).level : undefined
    if (level === undefined || level === 'error' || level === 'fatal') problems.push(line)
  }
  return problems
}
