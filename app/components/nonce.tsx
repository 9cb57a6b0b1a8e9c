// The CSP nonce of the page being rendered: set by entry.server, read by the root's <Scripts>.
import { createContext, useContext } from 'react'

export const NonceContext = createContext<string | undefined>(undefined)
export const useNonce = () => useContext(NonceContext)
