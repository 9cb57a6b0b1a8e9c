// Links that change one thing of the current URL's query (a tab, a page) and keep the rest:
// search, filters and sort survive paging and switching.
import { useSearchParams } from '@remix-run/react'

export function useSearchHref() {
  const [params] = useSearchParams()
  return (change: (next: URLSearchParams) => void) => {
    const next = new URLSearchParams(params)
    change(next)
    return `?${next.toString()}`
  }
}

/** Keyset paging links for a list: the next page after the cursor, and back to the first. */
export function usePageHrefs(nextCursor: string | null, paged: boolean) {
  const hrefWith = useSearchHref()
  return {
    nextHref: nextCursor ? hrefWith((p) => p.set('after', nextCursor)) : null,
    firstHref: paged ? hrefWith((p) => p.delete('after')) : null,
  }
}
