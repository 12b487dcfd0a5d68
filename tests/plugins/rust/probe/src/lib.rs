//! Exercises the Extism kernel and WASI from Rust, the way a plugin written
//! with Extism's Rust kit does (no host services: `pier call` runs it bare).
use extism_pdk::*;
use serde_json::{json, Value};

#[plugin_fn]
pub fn greet(name: String) -> FnResult<String> {
    Ok(format!("Hello, {}!", name))
}

#[plugin_fn]
pub fn json_echo(Json(value): Json<Value>) -> FnResult<Json<Value>> {
    Ok(Json(json!({ "echo": value })))
}

/// A var that counts the calls made on this instance.
#[plugin_fn]
pub fn count() -> FnResult<String> {
    let n: i64 = var::get::<String>("count")?.and_then(|s| s.parse().ok()).unwrap_or(0) + 1;
    var::set("count", n.to_string())?;
    Ok(n.to_string())
}

#[plugin_fn]
pub fn config_value(key: String) -> FnResult<String> {
    Ok(config::get(&key)?.unwrap_or_else(|| "<unset>".to_string()))
}

#[plugin_fn]
pub fn log_lines() -> FnResult<String> {
    info!("info from rust");
    warn!("warn from rust");
    Ok("logged".to_string())
}

/// WASI through Rust's standard library: the clock moves, randomness varies,
/// files are read from a mount.
#[plugin_fn]
pub fn wasi_tour(path: String) -> FnResult<String> {
    let t0 = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let slept = t0.elapsed() >= std::time::Duration::from_millis(5);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs();
    use std::hash::{BuildHasher, Hasher};
    let a = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let b = std::collections::hash_map::RandomState::new().build_hasher().finish();
    let file = std::fs::read_to_string(&path).unwrap_or_else(|e| format!("<{}>", e));
    Ok(format!("slept={} epoch={} random={} file={}", slept, now > 1_700_000_000, a != b, file))
}

#[plugin_fn]
pub fn http_get(url: String) -> FnResult<String> {
    let response = http::request::<()>(&HttpRequest::new(url), None)?;
    Ok(format!("{} {}", response.status_code(), String::from_utf8_lossy(&response.body())))
}

#[plugin_fn]
pub fn fail(message: String) -> FnResult<String> {
    Err(WithReturnCode::new(Error::msg(message), 1))
}

#[plugin_fn]
pub fn panic_now() -> FnResult<String> {
    panic!("the plugin panicked");
}
