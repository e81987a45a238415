/**
 * PostgreSQL's percentile_cont over float8, exactly (percentile_cont_final_common and float8_lerp
 * in its orderedsetaggs.c): rank = p·(n−1), first = floor(rank), second = ceil(rank); when they
 * differ, lo + (rank − first)·(hi − lo). The values are the durations in µs; the live statement
 * sorts them as float8 milliseconds (µs::float8 / 1000), and dividing by 1000 keeps their order,
 * so the k-th smallest millisecond value is the k-th smallest µs value divided by 1000.
 *
 * Selects instead of sorting (1M values: a full sort ~100 ms, selection a few passes).
 * `us` is reordered. `ps` ascending; null for no values.
 */
export function percentilesMs(us: Float64Array, ps: readonly number[]): (number | null)[] {
  const n = us.length;
  if (n === 0) return ps.map(() => null);
  let from = 0;
  return ps.map((p) => {
    const rank = p * (n - 1);
    const first = Math.floor(rank);
    const second = Math.ceil(rank);
    select(us, first, from, n - 1);
    from = first;
    const lo = us[first] / 1000;
    if (second === first) return lo;
    let next = us[first + 1];
    for (let i = first + 2; i < n; i++) if (us[i] < next) next = us[i];
    const hi = next / 1000;
    return lo + (rank - first) * (hi - lo);
  });
}

/**
 * Moves the k-th smallest of a[left..right] to a[k], smaller or equal ones before it and greater
 * or equal ones after (Hoare partition, median-of-three pivot).
 */
function select(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    const mid = (left + right) >>> 1;
    if (a[mid] < a[left]) swap(a, mid, left);
    if (a[right] < a[left]) swap(a, right, left);
    if (a[right] < a[mid]) swap(a, right, mid);
    const pivot = a[mid];
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
