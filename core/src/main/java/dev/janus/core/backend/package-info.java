/**
 * The backend seam: devices, storage kinds and how kernels are found. A tensor is a dtype, a shape
 * and a {@link dev.janus.core.backend.Storage} on a {@link dev.janus.core.Device}.
 *
 * <h2>The pieces</h2>
 * <ul>
 *   <li>{@link dev.janus.core.Device}: a value, {@code cpu} or {@code cuda:N}
 *       ({@code Device.parse("cuda:1")}); whether it exists is asked of the backend of its type.</li>
 *   <li>{@link dev.janus.core.backend.StorageKind}: a kind of memory on one device type and the
 *       backend behind it (allocation, device count, streams, host-fallback policy). Built in:
 *       {@code HEAP} (Java arrays: no native call, freed by the GC) and {@code NATIVE} (memory off
 *       the heap, counted by JavaCPP, released by {@code close()} or when collected; BLAS and ND4J
 *       read it in place, and {@code INDArray}s share it).</li>
 *   <li>{@link dev.janus.core.backend.StoragePolicy}: which kind a new tensor gets on a device;
 *       on the CPU, {@code auto()} puts large tensors in native memory, small ones on the heap (asked
 *       for through {@code CompileOptions.storage}; plans default to the heap, measured).</li>
 *   <li>{@link dev.janus.core.backend.CpuThreads}: how many threads one op may use (cores, or
 *       {@code OMP_NUM_THREADS}), the pool that runs the parts of large kernels, and how many
 *       parts a BLAS product is split into (chosen per product by size, or pinned by
 *       {@code setBlasThreads}; OpenBLAS itself runs one thread).</li>
 *   <li>{@link dev.janus.core.backend.Storage}: the elements. Every kind reads and writes elements,
 *       copies to and from Java arrays and byte buffers and to any other storage, so code outside
 *       kernels (file formats, ONNX, data loading) works on every kind. Raw arrays
 *       ({@code tensor.f32()} ...) exist for heap storage only, for CPU kernels.</li>
 *   <li>{@link dev.janus.core.ops.Kernels}: kernels per (op, storage kind). An op's own
 *       {@code compute} is its heap kernel; other kinds register theirs (native storage's: matrix
 *       products in place, elementwise ops tile by tile, the rest staged through heap copies,
 *       {@code NativeKernels}). The rule for a call: all
 *       tensors on one device (else an error naming both devices); heap operands mix with one other
 *       kind of their device (the call runs that kind's kernel, which must accept heap operands); no
 *       kernel is an error naming op and device, or, where the kind allows it (native does), the CPU
 *       kernel on heap copies, logged once per op.</li>
 *   <li>{@link dev.janus.core.ops.ExecContext}: one caller's state: device and storage kind for new
 *       tensors, a stream per device (made by its backend), and the random generator.</li>
 *   <li>Compiled plans: {@code CompileOptions.device(d)} / {@code storage(kind or policy)}; the buffer
 *       planner allocates there and resolves each node's kernel once, so a run dispatches nothing;
 *       {@code Plan.close()} releases its buffers.</li>
 * </ul>
 *
 * <h2>How to add an op</h2>
 * One class extending {@link dev.janus.core.ops.Op}, registered in {@link dev.janus.core.ops.Ops}:
 * its shape and dtype rule ({@code inferTypes}), its reference CPU kernel ({@code compute}, on heap
 * arrays via {@code f32()} ...), its gradient rule ({@code gradient}, against an {@code Emitter}) and
 * its ONNX mapping ({@code toOnnx}, {@code fromOnnx}); an elementwise op says so
 * ({@code isElementwise}), so the compiler may fuse it and native storage runs it in tiles. Nothing
 * else: eager, compiled and export pick it up, and {@code NativeKernels} gives it a native kernel
 * (tiles, or its heap kernel on copies). A kernel with much work splits it across threads with
 * {@code CpuThreads.parallelFor}, over its outputs (never the order of a sum). Add a case to
 * {@code GradientTest.cases()}: that also checks it on native storage.
 *
 * <h2>How to add a dtype</h2>
 * A constant in {@link dev.janus.core.DType} (with its {@code computeType()}), its Java array type in
 * {@code HeapStorage.arrayType} and its element reads and writes there ({@code getDouble},
 * {@code setDouble}, {@code getLong}, {@code setLong}: the casting rules), its ND4J type in
 * {@code NativeStorage}, its byte layout in {@code HeapStorage.putBytes}/{@code getBytes}, its ONNX
 * code in {@code OnnxTypes}. Ops state which dtypes they take in their shape rule
 * ({@code Check.floating}, {@code Check.numeric} ...); kernels compute float32, float64, int64 and
 * bool, and a call on another dtype (int8 ... bfloat16) runs on copies widened to the dtype's
 * {@code computeType()} with the result cast back ({@code Kernels.resolve}), unless the op computes
 * that dtype itself ({@code Op.computes}: Cast, Reshape, Shape ..., and the int8 kernels of issue 17).
 *
 * <h2>How a backend registers (CUDA, from its own module)</h2>
 * <pre>{@code
 * public final class CudaStorageKind extends StorageKind {
 *     public CudaStorageKind() {                       // found by ServiceLoader
 *         super("cuda", Device.CUDA_TYPE);
 *         Kernels.register(Ops.MATMUL, this, new CublasMatmul());
 *         Kernels.register(Ops.ADD, this, (in, attrs, out, ctx) -> ...);   // ctx.stream(out[0].device())
 *         Kernels.registerGenerator(FusedElementwise.class, this, NvrtcFused::new);  // one kernel per chain
 *     }
 *     public Storage allocate(DType dtype, int length, Device device) { ... }   // e.g. a caching allocator
 *     public int deviceCount() { ... }
 *     public Stream newStream(Device device) { ... }
 * }
 * }</pre>
 * with {@code META-INF/services/dev.janus.core.backend.StorageKind} naming the class. Its storage
 * class extends {@link dev.janus.core.backend.Storage} (element access and host copies through
 * device-to-host transfers). Then {@code tensor.to(Device.cuda())}, {@code module.to(...)} and
 * {@code CompileOptions.defaults().device(Device.cuda())} work, and ops without a CUDA kernel fail
 * with a message naming the op and the device (or fall back to the host if the kind says so).
 */
package dev.janus.core.backend;
