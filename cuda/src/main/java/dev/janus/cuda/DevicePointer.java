package dev.janus.cuda;

import org.bytedeco.javacpp.Pointer;

/** An address as a JavaCPP pointer, for the presets' calls: device memory, or a kernel argument's bytes. */
final class DevicePointer extends Pointer {
    DevicePointer(long address) {
        this.address = address;
    }
}
