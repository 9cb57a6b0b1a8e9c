// Times are shown in the viewer's time zone; countdowns run on the server's clock, corrected for
// the browser's own clock skew (the root loader sends the server's "now").
import { useRouteLoaderData } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { deadlineTone } from '~/domain/policy'
import { MARKET_TIME_ZONE, minuteFormat } from '~/i18n/format'
import { useLocale, useT, type Translate } from '~/i18n/use-t'
import type { loader as rootLoader } from '~/root'

function useTimeZone() {
  const [zone, setZone] = useState(MARKET_TIME_ZONE)
  useEffect(() => setZone(Intl.DateTimeFormat().resolvedOptions().timeZone), [])
  return zone
}

export function LocalTime({ value }: { value: string | Date }) {
  const locale = useLocale()
  const zone = useTimeZone()
  const date = new Date(value)
  const text = minuteFormat(locale, zone).format(date)
  return <time dateTime={date.toISOString()}>{text}</time>
}

function useServerNow(): number {
  const serverNow = useRouteLoaderData<typeof rootLoader>('root')?.serverNow
  const [skew] = useState(() => (serverNow ? new Date(serverNow).getTime() - Date.now() : 0))
  const [now, setNow] = useState(() => (serverNow ? new Date(serverNow).getTime() : Date.now()))
  useEffect(() => {
    const tick = () => setNow(Date.now() + skew)
    tick()
    const timer = setInterval(tick, 1000)
    return () => clearInterval(timer)
  }, [skew])
  return now
}

/** A countdown's time left, in the catalog's words: days, hours and minutes (1天2小时3分 / 1d 2h 3m). */
export function countdownText(t: Translate, ms: number): string {
  const totalMinutes = Math.max(0, Math.floor(ms / 60_000))
  const d = Math.floor(totalMinutes / (24 * 60))
  const h = Math.floor((totalMinutes % (24 * 60)) / 60)
  const m = totalMinutes % 60
  if (d) return t('countdown.daysHoursMinutes', { d, h, m })
  if (h) return t('countdown.hoursMinutes', { h, m })
  return t('countdown.minutes', { m })
}

const TONE_CLASS = { urgent: 'text-red-700 font-semibold', warn: 'text-amber-700 font-medium', normal: 'text-slate-700' } as const

/** Remaining time to a deadline: amber under 12 h, red under 6 h (policy.display). */
export function Countdown({ deadline }: { deadline: string | Date }) {
  const t = useT()
  const now = useServerNow()
  const remaining = new Date(deadline).getTime() - now
  const tone = deadlineTone(remaining)
  if (tone === 'overdue') return <span className="font-medium text-red-700">{t('common.overdue')}</span>
  return (
    <span className={TONE_CLASS[tone]} role="timer" data-tone={tone}>
      {t('common.remaining', { time: countdownText(t, remaining) })}
    </span>
  )
}
