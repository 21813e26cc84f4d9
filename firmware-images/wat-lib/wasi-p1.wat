;; wasi-p1.wat: helpers shared by the WAT command images (crasher, memhog, sensor-job, spinner).
;; Not a module by itself: build-wat.mjs puts this text where an image's source says
;;   ;; @include ../wat-lib/wasi-p1.wat
;; (after the image's own imports). The images call WASI preview1; the build wraps them with jco's
;; preview1 command adapter, as it does for C (`jco new --wasi-command`): a wasi:cli/command component.
;;
;; Memory map: 0..1023 scratch for WASI calls, 1024..5119 the output buffer, 8192.. each image's
;; strings (NUL-terminated). Everything else comes from $alloc: fresh pages from memory.grow,
;; so nothing overlaps the page the adapter grows for its own state.
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  (memory (export "memory") 1)
  (global $out_fd (mut i32) (i32.const 1))
  (global $out_len (mut i32) (i32.const 0))
  (global $environ (mut i32) (i32.const 0)) ;; array of pointers, NUL-terminated list; 0 = not read yet

  ;; n bytes from fresh pages; 0 when memory cannot grow
  (func $alloc (param $n i32) (result i32)
    (local $old i32)
    (local.set $old
      (memory.grow (i32.shr_u (i32.add (local.get $n) (i32.const 65535)) (i32.const 16))))
    (if (result i32) (i32.eq (local.get $old) (i32.const -1))
      (then (i32.const 0))
      (else (i32.shl (local.get $old) (i32.const 16)))))

  (func $strlen (param $s i32) (result i32)
    (local $p i32)
    (local.set $p (local.get $s))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (i32.sub (local.get $p) (local.get $s)))

  ;; <0, 0, >0 as strcmp
  (func $strcmp (param $a i32) (param $b i32) (result i32)
    (local $x i32) (local $y i32)
    (loop $next
      (local.set $x (i32.load8_u (local.get $a)))
      (local.set $y (i32.load8_u (local.get $b)))
      (if (i32.and (i32.eq (local.get $x) (local.get $y)) (i32.ne (local.get $x) (i32.const 0)))
        (then
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (local.set $b (i32.add (local.get $b) (i32.const 1)))
          (br $next))))
    (i32.sub (local.get $x) (local.get $y)))

  ;; writes the output buffer to $out_fd (all of it, or gives up on an error)
  (func $flush
    (local $at i32) (local $n i32)
    (block $done
      (loop $more
        (br_if $done (i32.ge_u (local.get $at) (global.get $out_len)))
        (i32.store (i32.const 0) (i32.add (i32.const 1024) (local.get $at)))
        (i32.store (i32.const 4) (i32.sub (global.get $out_len) (local.get $at)))
        (br_if $done (call $fd_write (global.get $out_fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (local.set $n (i32.load (i32.const 8)))
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $at (i32.add (local.get $at) (local.get $n)))
        (br $more)))
    (global.set $out_len (i32.const 0)))

  ;; output goes to fd (1 stdout, 2 stderr) from now on; what was buffered is flushed first
  (func $to (param $fd i32)
    (call $flush)
    (global.set $out_fd (local.get $fd)))

  (func $put_byte (param $c i32)
    (if (i32.ge_u (global.get $out_len) (i32.const 4096)) (then (call $flush)))
    (i32.store8 (i32.add (i32.const 1024) (global.get $out_len)) (local.get $c))
    (global.set $out_len (i32.add (global.get $out_len) (i32.const 1))))

  (func $put_bytes (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (call $put_byte (i32.load8_u (local.get $p)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next))))

  ;; a NUL-terminated string
  (func $put (param $s i32)
    (call $put_bytes (local.get $s) (call $strlen (local.get $s))))

  (func $put_num (param $v i64)
    (local $p i32)
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (call $put_byte (i32.const 45)) ;; -
        (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    ;; digits backwards into scratch 64..95
    (local.set $p (i32.const 96))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (call $put_bytes (local.get $p) (i32.sub (i32.const 96) (local.get $p))))

  ;; the value of the environment variable named by the NUL-terminated $name, or 0
  (func $getenv (param $name i32) (result i32)
    (local $count i32) (local $size i32) (local $at i32) (local $entry i32) (local $n i32)
    (if (i32.eqz (global.get $environ))
      (then
        (drop (call $environ_sizes_get (i32.const 16) (i32.const 20)))
        (local.set $count (i32.load (i32.const 16)))
        (local.set $size (i32.load (i32.const 20)))
        (global.set $environ
          (call $alloc (i32.add (i32.shl (i32.add (local.get $count) (i32.const 1)) (i32.const 2))
                                (local.get $size))))
        (if (i32.eqz (global.get $environ)) (then (return (i32.const 0))))
        (drop (call $environ_get (global.get $environ)
          (i32.add (global.get $environ) (i32.shl (i32.add (local.get $count) (i32.const 1)) (i32.const 2)))))
        (i32.store (i32.add (global.get $environ) (i32.shl (local.get $count) (i32.const 2))) (i32.const 0))))
    (local.set $n (call $strlen (local.get $name)))
    (local.set $at (global.get $environ))
    (block $none
      (loop $next
        (local.set $entry (i32.load (local.get $at)))
        (br_if $none (i32.eqz (local.get $entry)))
        (if (call $prefixed (local.get $entry) (local.get $name) (local.get $n))
          (then
            (if (i32.eq (i32.load8_u (i32.add (local.get $entry) (local.get $n))) (i32.const 61)) ;; =
              (then (return (i32.add (local.get $entry) (i32.add (local.get $n) (i32.const 1))))))))
        (local.set $at (i32.add (local.get $at) (i32.const 4)))
        (br $next)))
    (i32.const 0))

  ;; 1 if the n bytes at $s equal those at $prefix
  (func $prefixed (param $s i32) (param $prefix i32) (param $n i32) (result i32)
    (block $differ
      (loop $next
        (if (i32.eqz (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (local.get $s)) (i32.load8_u (local.get $prefix))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (local.set $prefix (i32.add (local.get $prefix) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; the environment variable as a decimal number (an optional -, then digits only), else $fallback
  (func $env_number (param $name i32) (param $fallback i64) (result i64)
    (local $s i32) (local $c i32) (local $v i64) (local $negative i32)
    (local.set $s (call $getenv (local.get $name)))
    (if (i32.eqz (local.get $s)) (then (return (local.get $fallback))))
    (if (i32.eq (i32.load8_u (local.get $s)) (i32.const 45))
      (then
        (local.set $negative (i32.const 1))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))))
    (if (i32.eqz (i32.load8_u (local.get $s))) (then (return (local.get $fallback))))
    (block $end
      (loop $digit
        (local.set $c (i32.load8_u (local.get $s)))
        (br_if $end (i32.eqz (local.get $c)))
        (if (i32.gt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 9))
          (then (return (local.get $fallback))))
        (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10))
                               (i64.extend_i32_u (i32.sub (local.get $c) (i32.const 48)))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $digit)))
    (if (result i64) (local.get $negative)
      (then (i64.sub (i64.const 0) (local.get $v)))
      (else (local.get $v))))
