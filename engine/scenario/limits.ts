// The bounds of what the lab accepts as input, each with the reason a message gives. They keep a run
// finite in time and memory for its size: a scenario beyond them is refused before any work, with the
// limit and why, instead of running for hours or filling the machine's memory.

const KiB = 1024
const MiB = 1024 ** 2
const GiB = 1024 ** 3

export const LIMITS = {
  /** a scenario file (the largest built-in is 3 KiB; traces belong in trace folders) */
  scenarioBytes: 4 * MiB,
  /** hosts in a scenario: ten times scale-10k */
  hosts: 100_000,
  /** VMs in a scenario: ten times scale-10k */
  vms: 200_000,
  /** simulated time */
  durationSeconds: 366 * 86400,
  /** steps of a run (duration ÷ interval) */
  steps: 1_000_000,
  /** one VM's page writes at full CPU */
  pageWriteRate: 64 * GiB,
  /** one VM's page writes per second (rate ÷ page size): each is drawn while a migration or snapshot watches */
  pageWritesPerSecond: 2 ** 22,
  /** pages of every VM's memory image together (about 30 bytes of bookkeeping each) */
  imagePages: 2 ** 27,
  /** the page size of memory images: x86's smallest and largest pages */
  minPageSize: 4 * KiB,
  maxPageSize: 1 * GiB,
  /** a host's RAM (64 TiB: the largest x86 servers address less) */
  hostRamMB: 64 * 1024 * 1024,
  /** CPU cores of a host type, vCPUs of a VM type */
  cores: 4096,
  /** worker threads of a run (the app and the CLI alike) */
  workers: 256,
} as const

export const WHY = {
  scenarioBytes: 'a scenario describes a lab in a few KiB; traces go in trace folders',
  hosts: 'ten times the largest built-in scenario; more does not fit in memory here',
  vms: 'ten times the largest built-in scenario; more does not fit in memory here',
  durationSeconds: 'a year of simulated time',
  steps: 'a longer run would take hours; use a longer interval',
  pageWriteRate:
    "a quarter of a DDR5 server socket's whole memory bandwidth (8 channels × 38.4 GB/s, reads included), more than one VM's vCPUs can write",
  pageWritesPerSecond:
    'the lab draws every page write while a migration or snapshot watches the memory; more would take minutes per simulated second — use a larger memory.pageSize or a lower rate',
  imagePages:
    'memory images keep about 30 bytes per page, so more would not fit in memory here — use a larger memory.pageSize',
  pageSize: 'x86 pages are 4 KiB, 2 MiB or 1 GiB, and QEMU pages are a power of two',
  hostRamMB: '64 TiB, more than the largest x86 servers address',
  cores: 'more than any server has',
  workers: 'more threads than any machine runs at once',
} as const

export const SEED_MAX = 2 ** 32 - 1
export const SEED_WHY = 'seeds are 32-bit: a larger one would silently become another seed'
