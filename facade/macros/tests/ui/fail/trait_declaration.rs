trait Store {
    #[omniscope::instrument]
    fn get(&self, key: &str) -> Option<String>;
}

fn main() {}
