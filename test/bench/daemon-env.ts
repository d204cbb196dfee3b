/**
 * What `npm start`, deploy/provisiond.service and deploy/Dockerfile set for the daemon besides its
 * own settings: the benches start it the same way, so their figures are an installed daemon's.
 * glibc's malloc then hands every block of 128 kB or more straight back to the system when it is
 * freed. By default it raises that limit to the largest such block freed so far, and during a first
 * sync (a batch's statement and rows crossing to the database thread) blocks of megabytes then
 * stayed in its pools: 95–120 MB of a 450-MB peak, against 24–64 MB with the setting.
 * @see https://www.gnu.org/software/libc/manual/html_node/Memory-Allocation-Tunables.html
 */
export const DAEMON_ENV = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' } as const;
