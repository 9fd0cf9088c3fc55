struct Card {
    number: String,
}

#[omniscope::instrument]
fn charge(amount: u64, card: Card) -> u64 {
    amount + card.number.len() as u64
}

fn main() {
    let _ = charge(
        1,
        Card {
            number: "4242".into(),
        },
    );
}
