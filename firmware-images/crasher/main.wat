;; crasher: a wasi:cli command that prints a line, sleeps, then exits with a non-zero code.
;; CRASH_AFTER_MS (default 200) sets the sleep, CRASH_CODE (default 3) the exit code.
;; Used to exercise restart policies and CrashLoopBackOff.
(module
  ;; The preview1 adapter maps every non-zero exit status to 1; exit-with-code keeps the real code.
  (import "wasi:cli/exit@0.2.10" "exit-with-code" (func $exit_with_code (param i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  ;; @include ../wat-lib/wasi-p1.wat

  (data (i32.const 8192) "CRASH_AFTER_MS\00")
  (data (i32.const 8256) "CRASH_CODE\00")
  (data (i32.const 8320) "crasher: started, exiting with code \00")
  (data (i32.const 8384) " in \00")
  (data (i32.const 8448) " ms\n\00")
  (data (i32.const 8512) "crasher: crashing now (code \00")
  (data (i32.const 8576) ")\n\00")

  ;; sleeps $ms milliseconds: poll_oneoff with one relative monotonic-clock subscription at 256
  (func $sleep (param $ms i64)
    (if (i64.le_s (local.get $ms) (i64.const 0)) (then (return)))
    (i64.store (i32.const 256) (i64.const 0))  ;; userdata
    (i32.store8 (i32.const 264) (i32.const 0)) ;; tag: clock
    (i32.store (i32.const 272) (i32.const 1))  ;; clock id: monotonic
    (i64.store (i32.const 280) (i64.mul (local.get $ms) (i64.const 1000000))) ;; timeout, ns
    (i64.store (i32.const 288) (i64.const 0))  ;; precision
    (i32.store16 (i32.const 296) (i32.const 0)) ;; flags: relative
    (drop (call $poll_oneoff (i32.const 256) (i32.const 320) (i32.const 1) (i32.const 352))))

  (func (export "_start")
    (local $after i64) (local $code i64)
    (local.set $after (call $env_number (i32.const 8192) (i64.const 200)))
    (local.set $code (call $env_number (i32.const 8256) (i64.const 3)))
    (call $put (i32.const 8320))
    (call $put_num (local.get $code))
    (call $put (i32.const 8384))
    (call $put_num (local.get $after))
    (call $put (i32.const 8448))
    (call $flush)
    (call $sleep (local.get $after))
    (call $to (i32.const 2))
    (call $put (i32.const 8512))
    (call $put_num (local.get $code))
    (call $put (i32.const 8576))
    (call $flush)
    (if (i64.ne (local.get $code) (i64.const 0))
      (then (call $exit_with_code (i32.and (i32.wrap_i64 (local.get $code)) (i32.const 0xff)))))))
