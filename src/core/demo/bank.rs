//! Bank accounts: opening, deposits, withdrawals (some rejected), transfers
//! between accounts that share a correlation id, freezes and closure.
//! `AccountOpened` exists in two schema versions, for upcasting to show.

use serde_json::json;

use super::{Emitted, Rng};

const OWNERS: &[(&str, &str)] = &[
    ("Ada Lovelace", "ada@example.org"),
    ("Grace Hopper", "grace@example.org"),
    ("Alan Turing", "alan@example.org"),
    ("Katherine Johnson", "katherine@example.org"),
    ("Edsger Dijkstra", "edsger@example.org"),
    ("Barbara Liskov", "barbara@example.org"),
    ("Donald Knuth", "don@example.org"),
    ("Margaret Hamilton", "margaret@example.org"),
    ("Tony Hoare", "tony@example.org"),
    ("Frances Allen", "fran@example.org"),
];
const TELLERS: &[&str] = &[
    "teller-12",
    "teller-7",
    "atm-456",
    "atm-101",
    "mobile-app",
    "payroll",
];
/// Accounts opened before the second schema of `AccountOpened` shipped.
const V1_ACCOUNTS: usize = 40;

struct Account {
    stream: String,
    balance: i64,
    frozen: bool,
    closed: bool,
}

#[derive(Default)]
pub(super) struct Bank {
    accounts: Vec<Account>,
    /// The accounts neither closed nor hot, which steps pick from.
    open_accounts: super::live::Live,
    /// The long-lived account, once opened.
    hot: Option<usize>,
}

impl Bank {
    fn open(&mut self, rng: &mut Rng, stream: String) -> Vec<Emitted> {
        let (name, email) = *rng.pick(OWNERS);
        let currency = *rng.pick(&["EUR", "EUR", "USD", "GBP"]);
        let index = self.accounts.len();
        let opened = if index < V1_ACCOUNTS {
            Emitted::new(
                &stream,
                "AccountOpened",
                json!({"accountId": stream, "owner": name, "currency": currency}),
                "teller-12",
            )
        } else {
            let mut e = Emitted::new(
                &stream,
                "AccountOpened",
                json!({
                    "accountId": stream,
                    "holder": {"name": name, "email": email},
                    "currency": currency,
                    "overdraftLimit": rng.amount(0, 500, 100),
                }),
                "mobile-app",
            );
            e.schema_version = 2;
            e
        };
        self.accounts.push(Account {
            stream,
            balance: 0,
            frozen: false,
            closed: false,
        });
        let index = self.accounts.len() - 1;
        if Some(index) != self.hot {
            self.open_accounts.push(index);
        }
        vec![opened]
    }

    pub fn step(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        if self.open_accounts.len() < 3 || rng.chance(0.06) {
            let stream = format!("account-{:04}", self.accounts.len() + 1);
            return self.open(rng, stream);
        }
        let index = self.open_accounts.pick(rng);
        let roll = rng.below(100);
        if self.accounts[index].frozen {
            return self.unfreeze_or_close(rng, index);
        }
        match roll {
            0..=39 => self.deposit(rng, index),
            40..=69 => self.withdraw(rng, index),
            70..=89 => {
                let to = self.open_accounts.pick_other(rng, index);
                self.transfer(rng, index, to)
            }
            90..=96 => self.freeze(rng, index),
            _ => self.close(index),
        }
    }

    /// One step of the long-lived account benchmarks travel through.
    pub fn hot_step(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        let Some(index) = self.hot else {
            self.hot = Some(self.accounts.len());
            return self.open(rng, "account-hot".to_string());
        };
        match rng.below(10) {
            0..=4 => self.deposit(rng, index),
            _ => self.withdraw(rng, index),
        }
    }

    fn deposit(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let amount = rng.amount(10, 2_000, 5) as i64;
        let account = &mut self.accounts[index];
        account.balance += amount;
        let source = *rng.pick(TELLERS);
        vec![Emitted::new(
            &account.stream,
            "FundsDeposited",
            json!({"amount": amount, "source": source}),
            source,
        )]
    }

    fn withdraw(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let amount = rng.amount(10, 1_500, 5) as i64;
        let actor = *rng.pick(TELLERS);
        let account = &mut self.accounts[index];
        if amount > account.balance {
            return vec![Emitted::new(
                &account.stream,
                "WithdrawalRejected",
                json!({"amount": amount, "reason": "insufficient funds", "balance": account.balance}),
                actor,
            )];
        }
        account.balance -= amount;
        vec![Emitted::new(
            &account.stream,
            "FundsWithdrawn",
            json!({"amount": amount, "channel": actor}),
            actor,
        )]
    }

    fn transfer(&mut self, rng: &mut Rng, from: usize, to: usize) -> Vec<Emitted> {
        let amount = rng.amount(10, 800, 5) as i64;
        if amount > self.accounts[from].balance {
            return self.withdraw(rng, from);
        }
        let transfer_id = format!("tr-{:08x}", rng.next_u64() as u32);
        self.accounts[from].balance -= amount;
        self.accounts[to].balance += amount;
        let (from_stream, to_stream) = (
            self.accounts[from].stream.clone(),
            self.accounts[to].stream.clone(),
        );
        let sent = Emitted::new(
            &from_stream,
            "TransferSent",
            json!({"transferId": transfer_id, "to": to_stream, "amount": amount}),
            "mobile-app",
        );
        let mut received = Emitted::new(
            &to_stream,
            "TransferReceived",
            json!({"transferId": transfer_id, "from": from_stream, "amount": amount}),
            "transfer-saga",
        );
        received.causation_from_previous = true;
        vec![sent, received]
    }

    fn freeze(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let account = &mut self.accounts[index];
        account.frozen = true;
        let reason = *rng.pick(&["suspicious activity", "customer request", "court order"]);
        vec![Emitted::new(
            &account.stream,
            "AccountFrozen",
            json!({"reason": reason}),
            "fraud-bot",
        )]
    }

    fn unfreeze_or_close(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        if rng.chance(0.8) {
            let account = &mut self.accounts[index];
            account.frozen = false;
            vec![Emitted::new(
                &account.stream,
                "AccountUnfrozen",
                json!({"reviewedBy": "compliance-3"}),
                "compliance-3",
            )]
        } else {
            self.close(index)
        }
    }

    /// Closing pays out what is left, then closes: two events, one cause.
    fn close(&mut self, index: usize) -> Vec<Emitted> {
        let account = &mut self.accounts[index];
        let mut events = Vec::new();
        if account.balance > 0 {
            events.push(Emitted::new(
                &account.stream,
                "FundsWithdrawn",
                json!({"amount": account.balance, "channel": "closing-payout"}),
                "teller-7",
            ));
            account.balance = 0;
        }
        account.closed = true;
        self.open_accounts.remove(index);
        let mut closed = Emitted::new(
            &account.stream,
            "AccountClosed",
            json!({"reason": "customer request"}),
            "teller-7",
        );
        closed.causation_from_previous = !events.is_empty();
        events.push(closed);
        events
    }
}
