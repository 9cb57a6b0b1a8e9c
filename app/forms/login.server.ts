// The login form's fields. Server-only: the schema (and zod with it) stays out of the login
// page's browser bundle, which would otherwise carry zod for a form it never validates itself.
import { z } from 'zod'

export const LoginForm = z.object({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
  redirectTo: z.string().optional(),
})
