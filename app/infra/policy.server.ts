// The policy in force: the default, the operator's preset, then single overrides from env.
import { defaultPolicy, douyinOverrides, withOverrides, type Policy } from '~/domain/policy'
import { env } from './env.server'

const globalStore = globalThis as unknown as { __policy?: Policy }

export function policy(): Policy {
  if (!globalStore.__policy) {
    const { POLICY_PRESET, POLICY_OVERRIDES } = env()
    const preset = POLICY_PRESET === 'douyin' ? withOverrides(douyinOverrides) : defaultPolicy
    globalStore.__policy = withOverrides(POLICY_OVERRIDES as never, preset)
  }
  return globalStore.__policy
}
