// Durations the way kubectl prints ages (apimachinery duration.HumanDuration): "5s", "90s",
// "3m2s", "10m", "5h", "7h30m", "3d", "3d4h", "2y10d".

/** A duration in milliseconds as kubectl prints it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60 * 2) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`
  if (minutes < 60 * 3) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`
  if (hours < 48) return `${hours}h`
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 365 * 2) return `${days}d`
  const years = Math.floor(days / 365)
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`
  return `${years}y`
}

/** The age of an RFC 3339 timestamp at `now` (ms or Date); "<unknown>" when there is none. */
export function ageSince(timestamp: string | undefined, now: number | Date): string {
  const t = timestamp ? Date.parse(timestamp) : Number.NaN
  if (Number.isNaN(t)) return '<unknown>'
  return humanDuration(+now - t)
}
