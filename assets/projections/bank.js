// bank.js: one state per bank account (fromCategory('account').foreachStream()).
//
// For every account-* stream: who holds it, its balance, whether it is
// open, frozen or closed, and how many deposits, withdrawals, rejected
// withdrawals and transfers it has seen.
//
// Upcasting
// ---------
// AccountOpened exists in two schema versions:
//   v1: {accountId, owner: "Ada Lovelace", currency}
//   v2: {accountId, holder: {name, email}, currency, overdraftLimit}
// `upcast(eventType, schemaVersion, fn)` registers fn to turn an event of
// that type and schema version into the next version before any handler
// (or partitionBy) sees it. fn receives the event and returns the new
// event; its schemaVersion is bumped to schemaVersion + 1 for you, and
// upcasters chain (v1 -> v2 -> v3 ...). The handlers below only ever see v2.
upcast('AccountOpened', 1, e => ({
  ...e,
  data: {
    accountId: e.data.accountId,
    holder: { name: e.data.owner, email: null },
    currency: e.data.currency,
    overdraftLimit: 0,
  },
}));

fromCategory('account')
  .foreachStream()
  .when({
    $init: () => ({
      accountId: null,
      holder: null,
      currency: null,
      status: 'unopened',
      balance: 0,
      overdraftLimit: 0,
      deposits: 0,
      withdrawals: 0,
      rejections: 0,
      transfersIn: { count: 0, total: 0 },
      transfersOut: { count: 0, total: 0 },
      frozenReason: null,
    }),

    AccountOpened: (s, e) => {
      s.accountId = e.data.accountId;
      s.holder = e.data.holder;
      s.currency = e.data.currency;
      s.overdraftLimit = e.data.overdraftLimit;
      s.status = 'open';
    },

    FundsDeposited: (s, e) => {
      s.balance += e.data.amount;
      s.deposits += 1;
    },

    FundsWithdrawn: (s, e) => {
      s.balance -= e.data.amount;
      s.withdrawals += 1;
    },

    WithdrawalRejected: (s, e) => {
      s.rejections += 1;
    },

    TransferSent: (s, e) => {
      s.balance -= e.data.amount;
      s.transfersOut.count += 1;
      s.transfersOut.total += e.data.amount;
    },

    TransferReceived: (s, e) => {
      s.balance += e.data.amount;
      s.transfersIn.count += 1;
      s.transfersIn.total += e.data.amount;
    },

    AccountFrozen: (s, e) => {
      s.status = 'frozen';
      s.frozenReason = e.data.reason;
    },

    AccountUnfrozen: (s, e) => {
      s.status = 'open';
      s.frozenReason = null;
    },

    AccountClosed: (s, e) => {
      s.status = 'closed';
    },
  });
