// Keeps a list page's data live: its loaders run again every 30 s while the tab is visible and as
// soon as the tab is shown again, so counts and countdowns never go stale on an open screen.
import { useRevalidator } from '@remix-run/react'
import { useEffect } from 'react'

const REFRESH_MS = 30_000

export function useLiveData() {
  const revalidator = useRevalidator()
  const { revalidate } = revalidator
  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible') revalidate()
    }
    const timer = setInterval(refresh, REFRESH_MS)
    document.addEventListener('visibilitychange', refresh)
    return () => {
      clearInterval(timer)
      document.removeEventListener('visibilitychange', refresh)
    }
  }, [revalidate])
}
