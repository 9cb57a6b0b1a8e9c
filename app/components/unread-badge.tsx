// The message box's unread count in the header. It comes with every page and is refreshed in the
// background (every 15 s and when the tab is shown again), so a new message shows without a reload.
// A plain fetch of the JSON route, not a Remix fetcher: a fetcher of a not-yet-discovered route
// racing a revalidation (the workbench's live data) makes the router answer 404 (remix-run/remix#10263).
import { useEffect, useState } from 'react'
import { useT } from '~/i18n/use-t'

const POLL_MS = 15_000

export function UnreadBadge({ initial }: { initial: number }) {
  const t = useT()
  const [count, setCount] = useState(initial)
  // A page load (e.g. after "mark read") and a poll both set the count; the newest wins.
  useEffect(() => setCount(initial), [initial])
  useEffect(() => {
    let inFlight: AbortController | undefined
    const poll = async () => {
      if (document.visibilityState !== 'visible') return
      inFlight?.abort() // a newer poll replaces one still running
      const request = (inFlight = new AbortController())
      try {
        const response = await fetch('/messages/unread', { signal: request.signal, headers: { Accept: 'application/json' } })
        if (response.ok) setCount(((await response.json()) as { unread: number }).unread)
      } catch {
        // offline or aborted: the next poll tries again
      }
    }
    const timer = setInterval(poll, POLL_MS)
    document.addEventListener('visibilitychange', poll)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', poll)
      inFlight?.abort()
    }
  }, [])
  if (count <= 0) return null
  return (
    <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs font-semibold text-white" data-testid="unread-badge">
      <span aria-hidden>{count}</span>
      <span className="sr-only">{t('nav.unread', { count })}</span>
    </span>
  )
}
