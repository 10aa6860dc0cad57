//! Cursor paging over a list that is already in served order.

/// One page of `items[start..]`: the first `size` items that `keep` accepts, and how many
/// accepted items follow them. When `keep_all` is true the filter is known to accept
/// everything and the remainder is computed without scanning.
pub(crate) fn page<T>(
    items: &[T],
    start: usize,
    size: usize,
    keep_all: bool,
    keep: impl Fn(&T) -> bool,
) -> (Vec<&T>, usize) {
    let rest = items.get(start..).unwrap_or_default();
    let mut matching = rest.iter().filter(|item| keep(item));
    let page: Vec<&T> = matching.by_ref().take(size).collect();
    let remaining = if keep_all {
        rest.len() - page.len()
    } else {
        matching.count()
    };
    (page, remaining)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_filter_and_count_the_rest() {
        let items: Vec<u32> = (0..10).collect();
        let (first, remaining) = page(&items, 0, 3, false, |n| n % 2 == 0);
        assert_eq!(first, [&0, &2, &4], "the first three even numbers");
        assert_eq!(remaining, 2, "6 and 8 follow");
        let (all, remaining) = page(&items, 8, 5, true, |_| true);
        assert_eq!(
            (all, remaining),
            (vec![&8, &9], 0),
            "the tail, nothing after it"
        );
        let (past_end, remaining) = page(&items, 11, 5, true, |_| true);
        assert!(
            past_end.is_empty() && remaining == 0,
            "a start past the end is an empty last page"
        );
    }
}
