// A VM's memory as the host sees it: the guest's free / cache / used counts kept exact through writes,
// frees and bulk changes, KSM told of every change, checkpoints.
import { describe, expect, it } from 'vitest'
import { Ksm } from '../../engine/hypervisor/ksm'
import { GuestMemory } from '../../engine/hypervisor/guest-memory'
import { countContent, kindOf, PAGE_IMAGE, PAGE_ZERO } from '../../engine/memory/content'
import { imageToken } from '../../engine/memory/image'
import { streamFor } from '../../engine/random'

const PAGE = 4096

function vmOf(id = 0) {
  // 100 pages: 30 free, 30 page cache, 40 own data
  return GuestMemory.create(id, 100 * PAGE, PAGE, { zero: 0.3, image: 0.3, imageId: 5 }, streamFor(3, 'vm', id))
}

function pageOf(vm: GuestMemory, kind: number): number {
  for (let p = 0; p < vm.pages; p++) if (vm.isPresent(p) && kindOf(vm.image.tokens[p]!) === kind) return p
  return -1
}

describe('GuestMemory', () => {
  it('reads the guest use of its pages from their content', () => {
    const vm = vmOf()
    expect([vm.free, vm.cache, vm.used, vm.present, vm.pagesToSend]).toEqual([30, 30, 40, 100, 70])
  })

  it('keeps counts exact through writes and frees', () => {
    const vm = vmOf()
    vm.write(pageOf(vm, PAGE_ZERO)) // allocation: free → used
    vm.write(pageOf(vm, PAGE_IMAGE)) // the guest overwrote a cached file page
    expect([vm.free, vm.cache, vm.used]).toEqual([29, 29, 42])
    const p = pageOf(vm, PAGE_IMAGE)
    vm.release(p) // freed, reads as zeros
    expect([vm.free, vm.cache, vm.used]).toEqual([30, 28, 42])
    expect(vm.needsSending(p)).toBe(false)
    vm.release(p)
    expect(vm.free).toBe(30)
    const c = countContent(vm.image)
    expect([c.zero, c.image, c.unique]).toEqual([vm.free, vm.cache, vm.used])
  })

  it('swaps the guest out when a write finds no free or cache page (balloon took them)', () => {
    const vm = vmOf()
    for (let i = 0; i < 60; i++) vm.inflateOne()
    expect([vm.free, vm.cache, vm.used, vm.balloon]).toEqual([0, 0, 40, 60])
    const ballooned = Array.from({ length: vm.pages }, (_, q) => vm.isPresent(q)).indexOf(false)
    const written = vm.write(ballooned)
    expect(vm.isPresent(written)).toBe(true)
    expect([vm.used, vm.guestSwapped, vm.guestSwapOuts]).toEqual([40, 1, 1])
  })

  it('recounts after a bulk change and breaks sharing where content changed', () => {
    const vms = [vmOf(0), vmOf(1)]
    const ksm = new Ksm(PAGE, { run: 1 })
    for (const vm of vms) ksm.register(vm)
    ksm.advance(100)
    const sharing = ksm.stats().pages_sharing
    const p = pageOf(vms[0]!, PAGE_IMAGE)
    expect(ksm.isMerged(vms[0]!, p)).toBe(true)
    // a restore writes the image directly
    vms[0]!.image.setToken(p, imageToken(6, 0))
    vms[0]!.recount()
    expect(ksm.stats().pages_sharing).toBe(sharing - 1)
    expect(vms[0]!.cache).toBe(30)
  })

  it('round-trips through state', () => {
    const vm = vmOf()
    vm.inflateOne()
    vm.write(3)
    vm.hostSwapped = 2.5
    const copy = GuestMemory.fromState(vm.state())
    expect(copy.state()).toEqual(vm.state())
    expect(copy.ksmSlot).toBeNull()
    expect(copy.write(10)).toBe(vm.write(10))
    expect(copy.image.tokens).toEqual(vm.image.tokens)
  })
})
