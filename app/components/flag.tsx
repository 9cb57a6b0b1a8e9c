// 插旗: one palette for orders and cases. The colour is never the only signal: the name is read out.
import type { FlagColorName } from '~/models/list-filters'
import { useT } from '~/i18n/use-t'

const SWATCH: Record<FlagColorName, string> = {
  RED: 'text-red-600',
  ORANGE: 'text-orange-500',
  YELLOW: 'text-yellow-500',
  GREEN: 'text-green-600',
  BLUE: 'text-blue-600',
  PURPLE: 'text-purple-600',
}

export function FlagMark({ color }: { color: FlagColorName | null }) {
  const t = useT()
  if (!color) return <span className="text-slate-400">{t('common.none')}</span>
  return (
    <span className={SWATCH[color]} data-testid="flag" data-color={color}>
      <span aria-hidden>⚑</span> <span className="text-xs text-slate-700">{t(`flag.${color}`)}</span>
    </span>
  )
}
