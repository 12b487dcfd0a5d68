// Annotations for clang's thread-safety analysis (-Wthread-safety). They state
// which mutex guards a field and which mutex a function needs or takes, and
// clang checks every access against them; other compilers ignore them.
//
//   Mutex mu_;
//   int count_ PIER_GUARDED_BY(mu_) = 0;
//   void Bump() PIER_REQUIRES(mu_);      // caller holds mu_
//   void Run() PIER_EXCLUDES(mu_);       // caller must not hold mu_
//
// A predicate lambda run under a lock says so too:
//   cv_.Wait(mu_, [&]() PIER_REQUIRES(mu_) { return stop_; });
#pragma once

#if defined(__clang__)
#define PIER_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define PIER_THREAD_ANNOTATION(x)
#endif

#define PIER_CAPABILITY(name) PIER_THREAD_ANNOTATION(capability(name))
#define PIER_SCOPED_CAPABILITY PIER_THREAD_ANNOTATION(scoped_lockable)
#define PIER_GUARDED_BY(mu) PIER_THREAD_ANNOTATION(guarded_by(mu))
#define PIER_PT_GUARDED_BY(mu) PIER_THREAD_ANNOTATION(pt_guarded_by(mu))
#define PIER_REQUIRES(...) PIER_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define PIER_EXCLUDES(...) PIER_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define PIER_ACQUIRE(...) PIER_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define PIER_RELEASE(...) PIER_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define PIER_TRY_ACQUIRE(...) PIER_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define PIER_ASSERT_HELD(x) PIER_THREAD_ANNOTATION(assert_capability(x))
#define PIER_RETURN_CAPABILITY(x) PIER_THREAD_ANNOTATION(lock_returned(x))
// For the rare function whose locking the analysis cannot follow; say why beside it.
#define PIER_NO_THREAD_SAFETY_ANALYSIS PIER_THREAD_ANNOTATION(no_thread_safety_analysis)
