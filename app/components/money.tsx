export const formatFen = (fen: number) => `¥${(fen / 100).toFixed(2)}`

export function Money({ fen }: { fen: number }) {
  return <span className="tabular-nums">{formatFen(fen)}</span>
}
