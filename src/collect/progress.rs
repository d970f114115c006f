//! How far a scan has got: which region and service are being read, and how many reads are
//! done. The collect layer only counts; whoever started the scan decides whether and how to
//! show it, through a [`ProgressSink`] in `ScanOptions` (the terminal bar lives in the app
//! layer, see `crate::terminal_progress`).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// Services read once per scan (sts, iam) and per region (bedrock, servicequotas, ec2,
/// cloudtrail, logs, kms): the expected total. A section added later only makes the total
/// grow as it is met, see [`Progress::step`].
const GLOBAL_STEPS: u64 = 2;
const STEPS_PER_REGION: u64 = 6;

/// Where a scan stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgressState {
    /// Reads finished.
    pub done: u64,
    /// Reads expected in all; never less than `done` plus those in flight.
    pub total: u64,
    /// `region service` of every read in flight, sorted.
    pub reading: Vec<String>,
}

/// Receives every change of a scan's [`ProgressState`], then `finish` once.
pub trait ProgressSink: Send + Sync + std::fmt::Debug {
    fn update(&self, state: &ProgressState);
    fn finish(&self);
}

pub struct Progress {
    sink: Option<Arc<dyn ProgressSink>>,
    state: Arc<Mutex<Counts>>,
}

#[derive(Default)]
struct Counts {
    done: u64,
    total: u64,
    in_flight: BTreeSet<String>,
}

impl Counts {
    fn snapshot(&self) -> ProgressState {
        ProgressState {
            done: self.done,
            total: self.total,
            reading: self.in_flight.iter().cloned().collect(),
        }
    }
}

impl Progress {
    pub fn new(sink: Option<Arc<dyn ProgressSink>>, regions: usize) -> Self {
        let counts = Counts {
            total: GLOBAL_STEPS + regions as u64 * STEPS_PER_REGION,
            ..Counts::default()
        };
        if let Some(sink) = &sink {
            sink.update(&counts.snapshot());
        }
        Progress {
            sink,
            state: Arc::new(Mutex::new(counts)),
        }
    }

    /// Marks `service` in `region` as being read until the returned guard drops.
    pub fn step(&self, region: &str, service: &str) -> Step {
        let label = format!("{region} {service}");
        if let Some(sink) = &self.sink {
            let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
            counts.in_flight.insert(label.clone());
            let at_least = counts.done + counts.in_flight.len() as u64;
            counts.total = counts.total.max(at_least);
            sink.update(&counts.snapshot());
        }
        Step {
            sink: self.sink.clone(),
            state: self.state.clone(),
            label,
        }
    }

    pub fn finish(&self) {
        if let Some(sink) = &self.sink {
            sink.finish();
        }
    }
}

pub struct Step {
    sink: Option<Arc<dyn ProgressSink>>,
    state: Arc<Mutex<Counts>>,
    label: String,
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(sink) = &self.sink {
            let mut counts = self.state.lock().unwrap_or_else(|e| e.into_inner());
            counts.in_flight.remove(&self.label);
            counts.done += 1;
            sink.update(&counts.snapshot());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default)]
    struct Recorder {
        updates: Mutex<Vec<ProgressState>>,
        finished: Mutex<u32>,
    }

    impl ProgressSink for Recorder {
        fn update(&self, state: &ProgressState) {
            self.updates.lock().unwrap().push(state.clone());
        }
        fn finish(&self) {
            *self.finished.lock().unwrap() += 1;
        }
    }

    #[test]
    fn counts_reads_in_flight_and_done_against_the_expected_total() {
        let recorder = Arc::new(Recorder::default());
        let progress = Progress::new(Some(recorder.clone()), 2);
        {
            let _sts = progress.step("us-east-1", "sts");
            let _logs = progress.step("eu-west-1", "logs");
        }
        progress.finish();
        let updates = recorder.updates.lock().unwrap();
        assert_eq!(
            updates[0],
            ProgressState {
                done: 0,
                total: 14,
                reading: Vec::new()
            }
        );
        assert_eq!(
            updates[2],
            ProgressState {
                done: 0,
                total: 14,
                reading: vec!["eu-west-1 logs".into(), "us-east-1 sts".into()],
            }
        );
        let last = updates.last().unwrap();
        assert_eq!((last.done, last.total), (2, 14));
        assert!(last.reading.is_empty());
        assert_eq!(*recorder.finished.lock().unwrap(), 1);
    }

    #[test]
    fn the_total_grows_rather_than_being_overtaken() {
        let recorder = Arc::new(Recorder::default());
        let progress = Progress::new(Some(recorder.clone()), 0);
        for service in ["a", "b", "c", "d"] {
            drop(progress.step("us-east-1", service));
        }
        let updates = recorder.updates.lock().unwrap();
        assert!(updates.iter().all(|u| u.done <= u.total));
        assert_eq!(updates.last().unwrap().total, 4);
    }

    #[test]
    fn without_a_sink_nothing_is_counted() {
        let progress = Progress::new(None, 3);
        drop(progress.step("us-east-1", "ec2"));
        progress.finish();
        assert_eq!(progress.state.lock().unwrap().done, 0);
    }
}
