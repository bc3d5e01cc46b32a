//! Property: for any two JSON values, the patch from one to the other
//! reproduces the second exactly.

use proptest::prelude::*;
use rewind::core::diff::{apply, diff};
use serde_json::{Map, Value};

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::from),
        "[a-c~/]{0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("[a-d~/]{1,2}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_patch_reproduces_the_target(from in json(), to in json()) {
        let patch = diff(&from, &to);
        let mut patched = from.clone();
        apply(&mut patched, &patch).map_err(TestCaseError::fail)?;
        prop_assert_eq!(patched, to);
    }

    #[test]
    fn equal_values_have_an_empty_patch(value in json()) {
        prop_assert!(diff(&value, &value).is_empty());
    }
}
