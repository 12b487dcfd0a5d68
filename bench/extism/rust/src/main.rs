//! Prints "ROW <name> <ns per operation>" for each loop of bench/extism.sh,
//! under Extism's runtime. Arguments: the folder holding the plugins.
use extism::*;
use std::time::{Duration, Instant};

/// Nanoseconds per call of `f`: the best of three runs of about `budget`.
fn measure(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..10 {
        f();
    }
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < budget {
            for _ in 0..16 {
                f();
            }
            n += 16;
        }
        best = best.min(start.elapsed().as_nanos() as f64 / n as f64);
    }
    best
}

host_fn!(host_echo(_user_data: (); input: Vec<u8>) -> Vec<u8> { Ok(input) });

fn main() {
    let dir = std::env::args().nth(1).expect("plugin folder");
    let budget = Duration::from_millis(
        std::env::var("BENCH_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000),
    );
    let wasm = |name: &str| Wasm::file(format!("{dir}/{name}.wasm"));
    let input = vec![b'x'; 100];
    let json = br#"{"name":"Ada","tags":["a","b","c"],"n":42,"nested":{"ok":true}}"#.to_vec();

    let mut echo = Plugin::new(Manifest::new([wasm("cpp_test")]), [], true).unwrap();
    println!("ROW plain_echo {:.0}", measure(budget, || {
        let _: Vec<u8> = echo.call("echo", &input).unwrap();
    }));

    let mut go = Plugin::new(Manifest::new([wasm("go_test")]), [], true).unwrap();
    println!("ROW go_json_echo {:.0}", measure(budget, || {
        let _: Vec<u8> = go.call("json_echo", &json).unwrap();
    }));

    let compiled = CompiledPlugin::new(PluginBuilder::new(Manifest::new([wasm("cpp_test")])).with_wasi(true)).unwrap();
    println!("ROW instantiate_call {:.0}", measure(budget, || {
        let mut p = Plugin::new_from_compiled(&compiled).unwrap();
        let _: Vec<u8> = p.call("echo", &input).unwrap();
    }));

    let f = Function::new("host_echo", [PTR], [PTR], UserData::new(()), host_echo)
        .with_namespace("extism:host/user");
    let reenter = Function::new("reenter", [PTR], [PTR], UserData::new(()), host_echo)
        .with_namespace("extism:host/user");
    let mut host = Plugin::new(Manifest::new([wasm("cpp_host_user")]), [f, reenter], true).unwrap();
    println!("ROW host_call {:.0}", measure(budget, || {
        let _: Vec<u8> = host.call("call_host", &input).unwrap();
    }));
}
