// flights.js: one state per flight booking (fromCategory('booking').foreachStream()).
//
// The booking's status (booked, checked-in, boarded or cancelled), the
// flight and route, the seat, checked bags, and the fees and refunds.

fromCategory('booking')
  .foreachStream()
  .when({
    $init: () => ({
      pnr: null,
      passenger: null,
      status: 'booked',
      flight: null,
      route: null,
      class: null,
      seat: null,
      bags: { pieces: 0, weightKg: 0 },
      fare: 0,
      fees: 0,
      flightChanges: 0,
      refund: null,
      gate: null,
    }),

    BookingCreated: (s, e) => {
      s.pnr = e.data.pnr;
      s.passenger = e.data.passenger;
      s.flight = e.data.flight;
      s.route = `${e.data.from}-${e.data.to}`;
      s.class = e.data.class;
      s.fare = e.data.fare;
    },

    SeatAssigned: (s, e) => {
      s.seat = e.data.seat;
    },

    BaggageAdded: (s, e) => {
      s.bags.pieces += e.data.pieces;
      s.bags.weightKg += e.data.weightKg;
    },

    FlightChanged: (s, e) => {
      s.flight = e.data.flight;
      s.route = `${e.data.from}-${e.data.to}`;
      s.fees += e.data.fee;
      s.flightChanges += 1;
      s.seat = null; // seats do not carry over to another flight
    },

    CheckedIn: (s, e) => {
      s.status = 'checked-in';
      if (e.data.seat) s.seat = e.data.seat;
    },

    PassengerBoarded: (s, e) => {
      s.status = 'boarded';
      s.gate = e.data.gate;
    },

    BookingCancelled: (s, e) => {
      s.status = 'cancelled';
      s.refund = e.data.refund;
    },
  });
