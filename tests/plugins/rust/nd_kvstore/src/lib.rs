//! Navidrome's KVStore from Rust: host functions declared with Extism's Rust
//! kit, JSON requests and answers as Navidrome's services speak them.
use extism_pdk::*;
use serde_json::{json, Value};

// Navidrome's KVStore service (extism:host/user), JSON in and out.
#[host_fn("extism:host/user")]
extern "ExtismHost" {
    fn kvstore_set(request: String) -> String;
    fn kvstore_get(request: String) -> String;
}

/// Navidrome's KVStore: set a key, read it back.
#[plugin_fn]
pub fn kv_roundtrip(Json(input): Json<Value>) -> FnResult<Json<Value>> {
    let key = input["key"].as_str().unwrap_or_default().to_string();
    let value = input["value"].as_str().unwrap_or_default();
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, value);
    let set: Value = serde_json::from_str(&unsafe { kvstore_set(json!({"key": key, "value": encoded}).to_string())? })?;
    let got: Value = serde_json::from_str(&unsafe { kvstore_get(json!({"key": key}).to_string())? })?;
    Ok(Json(json!({ "set": set, "get": got })))
}

