// carts.js: one state per shopping cart (fromCategory('cart').foreachStream()).
//
// What is in each cart (by SKU, with quantities and unit prices), its
// total, and its status: open, abandoned, checked-out or expired. A cart
// that was abandoned and then recovered counts one more recovery.

fromCategory('cart')
  .foreachStream()
  .when({
    $init: () => ({
      cartId: null,
      customerId: null,
      status: 'open',
      items: {},
      total: 0,
      recoveries: 0,
      paymentId: null,
    }),

    CartCreated: (s, e) => {
      s.cartId = e.data.cartId;
      s.customerId = e.data.customerId;
    },

    ItemAdded: (s, e) => {
      const { sku, name, quantity, unitPrice } = e.data;
      const item = s.items[sku] || (s.items[sku] = { name, quantity: 0, unitPrice });
      item.quantity += quantity;
      item.unitPrice = unitPrice;
      s.total = totalOf(s.items);
    },

    ItemRemoved: (s, e) => {
      const item = s.items[e.data.sku];
      if (!item) return;
      item.quantity -= e.data.quantity;
      if (item.quantity <= 0) delete s.items[e.data.sku];
      s.total = totalOf(s.items);
    },

    CheckedOut: (s, e) => {
      s.status = 'checked-out';
      s.paymentId = e.data.paymentId;
      if (e.data.total !== s.total) {
        log(`${e.streamId}: checked out for ${e.data.total}, items add up to ${s.total}`);
      }
    },

    CartAbandoned: (s, e) => {
      s.status = 'abandoned';
    },

    CartRecovered: (s, e) => {
      s.status = 'open';
      s.recoveries += 1;
    },

    CartExpired: (s, e) => {
      s.status = 'expired';
    },
  });

function totalOf(items) {
  let total = 0;
  for (const sku of Object.keys(items)) total += items[sku].quantity * items[sku].unitPrice;
  return total;
}
