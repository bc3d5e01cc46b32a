//! Shopping carts: items added and removed, checkout, and carts that are
//! abandoned and sometimes come back.

use serde_json::json;

use super::{Emitted, Rng};

const PRODUCTS: &[(&str, &str, u64)] = &[
    ("SKU-1001", "Espresso beans 1kg", 24),
    ("SKU-1002", "Pour-over kettle", 49),
    ("SKU-1003", "Ceramic mug", 12),
    ("SKU-2001", "Mechanical keyboard", 129),
    ("SKU-2002", "USB-C cable", 9),
    ("SKU-3001", "Trail running shoes", 139),
    ("SKU-3002", "Rain jacket", 89),
    ("SKU-4001", "Paperback: Domain-Driven Design", 45),
];

#[derive(PartialEq)]
enum Status {
    Open,
    Abandoned,
    Done,
}

struct Cart {
    stream: String,
    customer: String,
    items: Vec<(&'static str, u64, u64)>,
    status: Status,
}

#[derive(Default)]
pub(super) struct Carts {
    carts: Vec<Cart>,
    /// The carts not done yet, which steps pick from.
    live: super::live::Live,
}

impl Carts {
    pub fn step(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        if self.live.len() < 4 || rng.chance(0.15) {
            return self.create(rng);
        }
        let index = self.live.pick(rng);
        if self.carts[index].status == Status::Abandoned {
            return self.recover_or_expire(rng, index);
        }
        match rng.below(100) {
            0..=49 => self.add(rng, index),
            50..=64 => self.remove(rng, index),
            65..=84 => self.checkout(rng, index),
            _ => self.abandon(index),
        }
    }

    fn create(&mut self, rng: &mut Rng) -> Vec<Emitted> {
        let stream = format!("cart-{:05}", self.carts.len() + 1);
        let customer = format!("customer-{:03}", rng.below(400) + 1);
        self.carts.push(Cart {
            stream: stream.clone(),
            customer: customer.clone(),
            items: Vec::new(),
            status: Status::Open,
        });
        self.live.push(self.carts.len() - 1);
        vec![Emitted::new(
            &stream,
            "CartCreated",
            json!({"cartId": stream, "customerId": customer}),
            &customer,
        )]
    }

    fn add(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let (sku, name, price) = *rng.pick(PRODUCTS);
        let quantity = rng.below(3) + 1;
        let cart = &mut self.carts[index];
        cart.items.push((sku, quantity, price));
        vec![Emitted::new(
            &cart.stream,
            "ItemAdded",
            json!({"sku": sku, "name": name, "quantity": quantity, "unitPrice": price}),
            &cart.customer,
        )]
    }

    fn remove(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        if self.carts[index].items.is_empty() {
            return self.add(rng, index);
        }
        let cart = &mut self.carts[index];
        let item = rng.below(cart.items.len() as u64) as usize;
        let (sku, quantity, _) = cart.items.remove(item);
        vec![Emitted::new(
            &cart.stream,
            "ItemRemoved",
            json!({"sku": sku, "quantity": quantity}),
            &cart.customer,
        )]
    }

    fn checkout(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        if self.carts[index].items.is_empty() {
            return self.add(rng, index);
        }
        let cart = &mut self.carts[index];
        let total: u64 = cart.items.iter().map(|(_, q, p)| q * p).sum();
        cart.status = Status::Done;
        self.live.remove(index);
        let payment = format!("pay-{:08x}", rng.next_u64() as u32);
        vec![Emitted::new(
            &cart.stream,
            "CheckedOut",
            json!({"total": total, "paymentId": payment, "items": cart.items.len()}),
            &cart.customer,
        )]
    }

    fn abandon(&mut self, index: usize) -> Vec<Emitted> {
        let cart = &mut self.carts[index];
        cart.status = Status::Abandoned;
        vec![Emitted::new(
            &cart.stream,
            "CartAbandoned",
            json!({"itemsLeft": cart.items.len()}),
            "cart-reaper",
        )]
    }

    fn recover_or_expire(&mut self, rng: &mut Rng, index: usize) -> Vec<Emitted> {
        let cart = &mut self.carts[index];
        if rng.chance(0.5) {
            cart.status = Status::Open;
            vec![Emitted::new(
                &cart.stream,
                "CartRecovered",
                json!({"via": *rng.pick(&["reminder-email", "push-notification", "returned"])}),
                &cart.customer,
            )]
        } else {
            cart.status = Status::Done;
            self.live.remove(index);
            vec![Emitted::new(
                &cart.stream,
                "CartExpired",
                json!({"itemsLeft": cart.items.len()}),
                "cart-reaper",
            )]
        }
    }
}
