//! Airline bookings: a booking is created, seats and bags are added, the
//! flight may change, and it ends checked in, boarded or cancelled.

use serde_json::json;

use super::{Emitted, Rng};

const ROUTES: &[(&str, &str, &str)] = &[
    ("LH400", "FRA", "JFK"),
    ("BA117", "LHR", "JFK"),
    ("AF1234", "CDG", "LIS"),
    ("KL1001", "AMS", "LHR"),
    ("IB3170", "MAD", "FCO"),
    ("SK925", "CPH", "ORD"),
];
const PASSENGERS: &[&str] = &[
    "Mary Jackson",
    "Dorothy Vaughan",
    "Linus Torvalds",
    "Radia Perlman",
    "Ken Thompson",
    "Hedy Lamarr",
];

#[derive(PartialEq)]
enum Status {
    Booked,
    CheckedIn,
    Finished,
}

struct Booking {
    stream: String,
    status: Status,
    seat: Option<String>,
}

#[derive(Default)]
pub(super) struct Flights {
    bookings: Vec<Booking>,
    /// The bookings not finished yet, which steps pick from.
    live: super::live::Live,
}

impl Flights {
    pub fn step(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        if self.live.len() < 4 || rng.chance(0.12) {
            return self.create(rng);
        }
        let index = self.live.pick(rng);
        if self.bookings[index].status == Status::CheckedIn {
            return self.board(index);
        }
        match rng.below(100) {
            0..=29 => self.assign_seat(rng, index),
            30..=44 => self.add_bag(rng, index),
            45..=54 => self.change_flight(rng, index),
            55..=89 => self.check_in(index),
            _ => self.cancel(rng, index),
        }
    }

    fn create(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        let pnr: String = (0..6)
            .map(|_| (b'A' + rng.below(26) as u8) as char)
            .collect();
        let stream = format!("booking-{pnr}");
        let (flight, from, to) = *rng.pick(ROUTES);
        let passenger = *rng.pick(PASSENGERS);
        self.bookings.push(Booking {
            stream: stream.clone(),
            status: Status::Booked,
            seat: None,
        });
        self.live.push(self.bookings.len() - 1);
        vec![Emitted::new(
            &stream,
            "BookingCreated",
            json!({
                "pnr": pnr, "passenger": passenger, "flight": flight,
                "from": from, "to": to, "fare": rng.amount(89, 1_400, 1), "class": "economy",
            }),
            "web-checkout",
        )]
    }

    fn assign_seat(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let seat = format!(
            "{}{}",
            rng.below(40) + 1,
            *rng.pick(&["A", "B", "C", "D", "E", "F"])
        );
        let booking = &mut self.bookings[index];
        let previous = booking.seat.replace(seat.clone());
        vec![Emitted::new(
            &booking.stream,
            "SeatAssigned",
            json!({"seat": seat, "previousSeat": previous}),
            "web-checkout",
        )]
    }

    fn add_bag(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let booking = &self.bookings[index];
        vec![Emitted::new(
            &booking.stream,
            "BaggageAdded",
            json!({"pieces": rng.below(2) + 1, "weightKg": rng.amount(15, 23, 1)}),
            "call-center",
        )]
    }

    fn change_flight(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let (flight, from, to) = *rng.pick(ROUTES);
        let booking = &mut self.bookings[index];
        booking.seat = None;
        vec![Emitted::new(
            &booking.stream,
            "FlightChanged",
            json!({"flight": flight, "from": from, "to": to, "fee": rng.amount(0, 150, 25)}),
            "call-center",
        )]
    }

    fn check_in(&mut self, index: usize) -> Vec<Emitted> {
        let booking = &mut self.bookings[index];
        booking.status = Status::CheckedIn;
        vec![Emitted::new(
            &booking.stream,
            "CheckedIn",
            json!({"seat": booking.seat}),
            "kiosk-3",
        )]
    }

    fn board(&mut self, index: usize) -> Vec<Emitted> {
        let booking = &mut self.bookings[index];
        booking.status = Status::Finished;
        self.live.remove(index);
        vec![Emitted::new(
            &booking.stream,
            "PassengerBoarded",
            json!({"gate": "B12"}),
            "gate-agent",
        )]
    }

    fn cancel(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let booking = &mut self.bookings[index];
        booking.status = Status::Finished;
        self.live.remove(index);
        vec![Emitted::new(
            &booking.stream,
            "BookingCancelled",
            json!({"refund": rng.amount(0, 600, 10), "reason": "passenger request"}),
            "call-center",
        )]
    }
}
