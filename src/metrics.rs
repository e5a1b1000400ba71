//! Process-wide metrics in the Prometheus / OpenMetrics text format.
//!
//! One registry for the process, reached through [`metrics`], so the Slack transport, the outbox
//! worker and the store can count without threading a handle through every call. Label values
//! are bounded sets (envelope kinds, Web API method names, disconnect reasons), never ids.

use std::sync::LazyLock;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

type Labels = Vec<(&'static str, String)>;

/// Every metric the program exports.
pub struct Metrics {
    registry: Registry,
    envelopes_received: Family<Labels, Counter>,
    envelopes_acked: Family<Labels, Counter>,
    ack_latency: Histogram,
    reconnects: Family<Labels, Counter>,
    api_calls: Family<Labels, Counter>,
    rate_limit_waits: Family<Labels, Counter>,
    sockets_connected: Gauge,
    outbox_depth: Gauge,
    outbox_oldest_age: Gauge,
    db_busy_retries: Counter,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's metrics.
pub fn metrics() -> &'static Metrics {
    &METRICS
}

fn label(key: &'static str, value: &str) -> Labels {
    vec![(key, value.to_string())]
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("triage");
        let envelopes_received = Family::<Labels, Counter>::default();
        let envelopes_acked = Family::<Labels, Counter>::default();
        // 0.1 ms … ~3.3 s.
        let ack_latency = Histogram::new(
            prometheus_client::metrics::histogram::exponential_buckets(0.000_1, 2.0, 16),
        );
        let reconnects = Family::<Labels, Counter>::default();
        let api_calls = Family::<Labels, Counter>::default();
        let rate_limit_waits = Family::<Labels, Counter>::default();
        let sockets_connected = Gauge::default();
        let outbox_depth = Gauge::default();
        let outbox_oldest_age = Gauge::default();
        let db_busy_retries = Counter::default();
        registry.register(
            "envelopes_received",
            "Socket Mode envelopes received, by type",
            envelopes_received.clone(),
        );
        registry.register(
            "envelopes_acked",
            "Socket Mode envelopes acknowledged, by type",
            envelopes_acked.clone(),
        );
        registry.register(
            "ack_latency_seconds",
            "Time from receiving an envelope to sending its ack",
            ack_latency.clone(),
        );
        registry.register(
            "socket_reconnects",
            "Socket Mode reconnects, by reason",
            reconnects.clone(),
        );
        registry.register(
            "slack_api_calls",
            "Slack Web API calls, by method and outcome",
            api_calls.clone(),
        );
        registry.register(
            "slack_rate_limit_waits",
            "Waits for Slack's Retry-After, by method",
            rate_limit_waits.clone(),
        );
        registry.register(
            "sockets_connected",
            "Socket Mode connections that have said hello",
            sockets_connected.clone(),
        );
        registry.register(
            "outbox_depth",
            "Outbox items waiting to be delivered",
            outbox_depth.clone(),
        );
        registry.register(
            "outbox_oldest_age_seconds",
            "Age of the oldest undelivered outbox item",
            outbox_oldest_age.clone(),
        );
        registry.register(
            "db_busy_retries",
            "Database writes retried because another writer held the lock",
            db_busy_retries.clone(),
        );
        Metrics {
            registry,
            envelopes_received,
            envelopes_acked,
            ack_latency,
            reconnects,
            api_calls,
            rate_limit_waits,
            sockets_connected,
            outbox_depth,
            outbox_oldest_age,
            db_busy_retries,
        }
    }

    pub fn envelope_received(&self, kind: &str) {
        self.envelopes_received
            .get_or_create(&label("type", kind))
            .inc();
    }

    pub fn envelope_acked(&self, kind: &str, latency: std::time::Duration) {
        self.envelopes_acked
            .get_or_create(&label("type", kind))
            .inc();
        self.ack_latency.observe(latency.as_secs_f64());
    }

    pub fn reconnect(&self, reason: &str) {
        self.reconnects
            .get_or_create(&label("reason", reason))
            .inc();
    }

    pub fn api_call(&self, method: &str, outcome: &str) {
        let labels = vec![
            ("method", method.to_string()),
            ("outcome", outcome.to_string()),
        ];
        self.api_calls.get_or_create(&labels).inc();
    }

    pub fn rate_limit_wait(&self, method: &str) {
        self.rate_limit_waits
            .get_or_create(&label("method", method))
            .inc();
    }

    pub fn socket_connected(&self) {
        self.sockets_connected.inc();
    }

    pub fn socket_closed(&self) {
        self.sockets_connected.dec();
    }

    /// Sets the gauges read from the database at scrape time.
    pub fn set_outbox(&self, depth: i64, oldest_age_seconds: i64) {
        self.outbox_depth.set(depth);
        self.outbox_oldest_age.set(oldest_age_seconds);
    }

    /// Brings the busy-retry counter up to the store's running total.
    pub fn set_db_busy_retries(&self, total: u64) {
        let seen = self.db_busy_retries.get();
        if total > seen {
            self.db_busy_retries.inc_by(total - seen);
        }
    }

    /// The OpenMetrics text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}
