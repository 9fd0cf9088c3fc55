//! Packing whole lines into payloads of at most a maximum size. Pure: the
//! caller sends each finished payload.

/// Collects lines into one payload, `\n`-separated, never splitting a
/// line: a line that does not fit in what is left starts the next payload,
/// and a line longer than the maximum on its own is refused (the caller
/// counts it).
#[derive(Debug)]
pub(crate) struct Packer {
    max: usize,
    buf: Vec<u8>,
    lines: u64,
}

/// What [`Packer::push`] did with a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The line is in the current payload.
    Added,
    /// The current payload was full: here it is (with its line count),
    /// and the line starts the next one.
    Full(Vec<u8>, u64),
    /// The line alone is longer than the maximum payload: dropped.
    TooLong,
}

impl Packer {
    pub(crate) fn new(max: usize) -> Packer {
        Packer {
            max,
            buf: Vec::with_capacity(max),
            lines: 0,
        }
    }

    pub(crate) fn push(&mut self, line: &str) -> Pushed {
        if line.len() > self.max {
            return Pushed::TooLong;
        }
        let needed = if self.buf.is_empty() {
            line.len()
        } else {
            self.buf.len() + 1 + line.len()
        };
        let full = if needed > self.max { self.take() } else { None };
        if !self.buf.is_empty() {
            self.buf.push(b'\n');
        }
        self.buf.extend_from_slice(line.as_bytes());
        self.lines += 1;
        match full {
            Some((payload, lines)) => Pushed::Full(payload, lines),
            None => Pushed::Added,
        }
    }

    /// The current payload and its line count, if any.
    pub(crate) fn take(&mut self) -> Option<(Vec<u8>, u64)> {
        if self.buf.is_empty() {
            return None;
        }
        let payload = std::mem::replace(&mut self.buf, Vec::with_capacity(self.max));
        Some((payload, std::mem::take(&mut self.lines)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pack_all(max: usize, lines: &[String]) -> (Vec<Vec<u8>>, u64) {
        let mut packer = Packer::new(max);
        let (mut out, mut too_long) = (Vec::new(), 0);
        for line in lines {
            match packer.push(line) {
                Pushed::Added => {}
                Pushed::Full(p, _) => out.push(p),
                Pushed::TooLong => too_long += 1,
            }
        }
        out.extend(packer.take().map(|(p, _)| p));
        (out, too_long)
    }

    #[test]
    fn lines_fill_a_payload_exactly_then_start_the_next() {
        let lines: Vec<String> = ["a:1|c", "b:2|c", "c:3|c"].map(String::from).into();
        let (payloads, too_long) = pack_all(11, &lines);
        assert_eq!(payloads, vec![b"a:1|c\nb:2|c".to_vec(), b"c:3|c".to_vec()]);
        assert_eq!(too_long, 0);
    }

    #[test]
    fn a_line_longer_than_the_payload_is_refused() {
        let lines: Vec<String> = ["a:1|c", "much_too_long:1|c", "b:1|c"]
            .map(String::from)
            .into();
        let (payloads, too_long) = pack_all(8, &lines);
        assert_eq!(payloads, vec![b"a:1|c".to_vec(), b"b:1|c".to_vec()]);
        assert_eq!(too_long, 1);
    }

    proptest! {
        #[test]
        fn packing_keeps_every_fitting_line_whole_and_in_order(
            lines in proptest::collection::vec("[a-z:|.0-9]{1,40}", 0..60),
            max in 1usize..100,
        ) {
            let (payloads, too_long) = pack_all(max, &lines);
            let fitting: Vec<&String> = lines.iter().filter(|l| l.len() <= max).collect();
            prop_assert_eq!(too_long as usize, lines.len() - fitting.len());
            let mut unpacked = Vec::new();
            for p in &payloads {
                prop_assert!(p.len() <= max);
                prop_assert!(!p.is_empty());
                unpacked.extend(String::from_utf8(p.clone()).unwrap().split('\n').map(String::from));
            }
            prop_assert_eq!(unpacked.iter().collect::<Vec<_>>(), fitting);
        }
    }
}
