module @conv_grad {
  func.func public @main(%x: tensor<2x3x4x4xf32>, %w: tensor<5x3x3x3xf32>) -> (tensor<2x3x4x4xf32>, tensor<5x3x3x3xf32>) {
    %convolution.1 = "stablehlo.convolution"(%x, %w) {batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[o, i, 0, 1]->[b, f, 0, 1]>, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_reversal = array<i1: false, false>, window_strides = array<i64: 1, 1>} : (tensor<2x3x4x4xf32>, tensor<5x3x3x3xf32>) -> tensor<2x5x4x4xf32>
    %constant.11 = "stablehlo.constant"() {value = dense<1.0> : tensor<f32>} : () -> tensor<f32>
    %broadcast.12 = "stablehlo.broadcast_in_dim"(%constant.11) {broadcast_dimensions = array<i64>} : (tensor<f32>) -> tensor<2x5x2x2xf32>
    %constant.13 = "stablehlo.constant"() {value = dense<0.0> : tensor<f32>} : () -> tensor<f32>
    %select-and-scatter.21 = "stablehlo.select_and_scatter"(%convolution.1, %broadcast.12, %constant.13) ({
      ^bb0(%r0_x.14: tensor<f32>, %r0_y.15: tensor<f32>):
        %r0_compare.16 = "stablehlo.compare"(%r0_x.14, %r0_y.15) {comparison_direction = #stablehlo<comparison_direction GE>} : (tensor<f32>, tensor<f32>) -> tensor<i1>
        "stablehlo.return"(%r0_compare.16) : (tensor<i1>) -> ()
      }, {
      ^bb0(%r1_x.18: tensor<f32>, %r1_y.19: tensor<f32>):
        %r1_add.20 = "stablehlo.add"(%r1_x.18, %r1_y.19) : (tensor<f32>, tensor<f32>) -> tensor<f32>
        "stablehlo.return"(%r1_add.20) : (tensor<f32>) -> ()
      }) {padding = dense<[[0, 0], [0, 0], [0, 0], [0, 0]]> : tensor<4x2xi64>, window_dimensions = array<i64: 1, 1, 2, 2>, window_strides = array<i64: 1, 1, 2, 2>} : (tensor<2x5x4x4xf32>, tensor<2x5x2x2xf32>, tensor<f32>) -> tensor<2x5x4x4xf32>
    %convolution.22 = "stablehlo.convolution"(%select-and-scatter.21, %w) {batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[b, f, 0, 1]x[i, o, 0, 1]->[b, f, 0, 1]>, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_reversal = array<i1: true, true>, window_strides = array<i64: 1, 1>} : (tensor<2x5x4x4xf32>, tensor<5x3x3x3xf32>) -> tensor<2x3x4x4xf32>
    %convolution.23 = "stablehlo.convolution"(%x, %select-and-scatter.21) {batch_group_count = 1 : i64, dimension_numbers = #stablehlo.conv<[f, b, 0, 1]x[i, o, 0, 1]->[f, b, 0, 1]>, feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, padding = dense<[[1, 1], [1, 1]]> : tensor<2x2xi64>, rhs_dilation = array<i64: 1, 1>, window_reversal = array<i1: false, false>, window_strides = array<i64: 1, 1>} : (tensor<2x3x4x4xf32>, tensor<2x5x4x4xf32>) -> tensor<5x3x3x3xf32>
    func.return %convolution.22, %convolution.23 : tensor<2x3x4x4xf32>, tensor<5x3x3x3xf32>
  }
}
