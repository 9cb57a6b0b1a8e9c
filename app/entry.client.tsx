import { RemixBrowser } from '@remix-run/react'
import { startTransition, StrictMode } from 'react'
import { hydrateRoot } from 'react-dom/client'
import { bootCatalog, CatalogProvider } from '~/i18n/catalog'

// The page's catalog script ran before this module (see CatalogScript): hydrate in its language.
const catalog = bootCatalog()

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <CatalogProvider catalog={catalog}>
        <RemixBrowser />
      </CatalogProvider>
    </StrictMode>,
  )
})
