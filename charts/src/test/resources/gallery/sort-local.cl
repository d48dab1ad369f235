#pragma OPENCL EXTENSION cl_khr_fp64 : enable
__kernel void localPasses(__global long *_kernel_context, __constant uchar *_constant_region, __local uchar *_local_region, __global int *_atomics, __global uchar *keys, __global uchar *index, __global uchar *params, __private int segmentMask)
{
  ulong ul_0, ul_14;
  long l_13;
  int i_5, i_6, i_7, i_35;
  float f_15, f_41;

  // BLOCK 0 (a small hand-made fixture in the shape of TornadoVM's output)
  ul_0  =  (ulong) keys;
  __local float adf_3[512];
  __local int adi_4[512];
  i_5  =  get_local_id(0);
  i_6  =  get_local_size(0);
  i_7  =  get_group_id(0);
  l_13  =  (long) (i_5 + i_6 * i_7) << 2;
  ul_14  =  ul_0 + l_13;
  f_15  =  *((__global float *) ul_14);
  adf_3[i_5]  =  f_15;
  i_35  =  i_6;
  for(;i_35 >= 1;)
  {
    // BLOCK 1
    barrier(CLK_LOCAL_MEM_FENCE);
    f_41  =  adf_3[i_5 ^ i_35];
    i_35  =  i_35 >> 1;
  }  // B1
  barrier(CLK_LOCAL_MEM_FENCE);
  *((__global float *) ul_14)  =  adf_3[i_5];
  return;
}  //  kernel
