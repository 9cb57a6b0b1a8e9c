// The message box's unread count in the header. It comes with every page and is refreshed in the
// background (every 15 s and when the tab regains focus), so a new message shows without a reload.
import { useFetcher } from '@remix-run/react'
import { useEffect, useState } from 'react'
import { useT } from '~/i18n/use-t'

const POLL_MS = 15_000

export function UnreadBadge({ initial }: { initial: number }) {
  const t = useT()
  const fetcher = useFetcher<{ unread: number }>()
  const [count, setCount] = useState(initial)
  // A page load (e.g. after "mark all read") and a poll both set the count; the newest wins.
  useEffect(() => setCount(initial), [initial])
  useEffect(() => {
    if (fetcher.data) setCount(fetcher.data.unread)
  }, [fetcher.data])
  useEffect(() => {
    const poll = () => {
      // A new load replaces one still in flight, so polls never pile up.
      if (document.visibilityState === 'visible') fetcher.load('/messages/unread')
    }
    const timer = setInterval(poll, POLL_MS)
    document.addEventListener('visibilitychange', poll)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', poll)
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the fetcher object changes every render
  }, [])
  if (count <= 0) return null
  return (
    <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white" data-testid="unread-badge">
      <span aria-hidden>{count}</span>
      <span className="sr-only">{t('nav.unread', { count })}</span>
    </span>
  )
}
