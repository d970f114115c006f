//! The progress display on stderr: which region and service are being read. Silent unless
//! asked for (a terminal, no `--quiet`).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Services read per region (bedrock, ec2, cloudtrail, logs, kms), plus sts once.
const STEPS_PER_REGION: u64 = 5;

pub struct Progress {
    bar: Option<ProgressBar>,
    in_flight: Arc<Mutex<BTreeSet<String>>>,
}

impl Progress {
    pub fn new(enabled: bool, regions: usize) -> Self {
        let bar = enabled.then(|| {
            let total = regions as u64 * STEPS_PER_REGION + 1;
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style =
                ProgressStyle::with_template("{spinner} reading AWS {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            in_flight: Arc::default(),
        }
    }

    /// Marks `service` in `region` as being read until the returned guard drops.
    pub fn step(&self, region: &str, service: &str) -> Step {
        let label = format!("{region} {service}");
        if let Some(bar) = &self.bar {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            in_flight.insert(label.clone());
            bar.set_message(join(&in_flight));
        }
        Step {
            bar: self.bar.clone(),
            in_flight: self.in_flight.clone(),
            label,
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

pub struct Step {
    bar: Option<ProgressBar>,
    in_flight: Arc<Mutex<BTreeSet<String>>>,
    label: String,
}

impl Drop for Step {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            in_flight.remove(&self.label);
            bar.inc(1);
            bar.set_message(join(&in_flight));
        }
    }
}

fn join(in_flight: &BTreeSet<String>) -> String {
    in_flight.iter().cloned().collect::<Vec<_>>().join(", ")
}
