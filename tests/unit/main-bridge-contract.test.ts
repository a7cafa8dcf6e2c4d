// main/ and renderer/ each hold a copy of the bridge types (they may not import each other); these
// compile-time checks fail `tsc` as soon as the copies drift apart.
import { describe, expectTypeOf, it } from 'vitest'
import type * as Main from '../../main/bridge-contract'
import type * as Renderer from '../../renderer/lab/bridge-contract'

describe('bridge contract', () => {
  it('is the same on both sides', () => {
    expectTypeOf<Main.PortKind>().toEqualTypeOf<Renderer.PortKind>()
    expectTypeOf<Main.ConlabBridge>().toEqualTypeOf<Renderer.ConlabBridge>()
    expectTypeOf<Main.ScenarioFile>().toEqualTypeOf<Renderer.ScenarioFile>()
    expectTypeOf<Main.ReportFormat>().toEqualTypeOf<Renderer.ReportFormat>()
    expectTypeOf<Main.DesktopApi>().toEqualTypeOf<Renderer.DesktopApi>()
    expectTypeOf<Main.MenuTarget>().toEqualTypeOf<Renderer.MenuTarget>()
  })
})
