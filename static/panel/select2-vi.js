/* Vietnamese messages for the select2 3.x boxes Flask-Admin uses (pickers and filters). */
(function ($) {
  if (!$ || !$.fn || !$.fn.select2) { return; }
  $.extend($.fn.select2.defaults, {
    formatNoMatches: function () { return "Không tìm thấy kết quả phù hợp"; },
    formatInputTooShort: function (input, min) { return "Hãy gõ thêm " + (min - input.length) + " ký tự"; },
    formatInputTooLong: function (input, max) { return "Hãy xóa bớt " + (input.length - max) + " ký tự"; },
    formatSelectionTooBig: function (limit) { return "Chỉ được chọn " + limit + " mục"; },
    formatLoadMore: function () { return "Đang tải thêm…"; },
    formatSearching: function () { return "Đang tìm…"; },
    formatAjaxError: function () { return "Không tải được kết quả, hãy thử lại"; }
  });
})(window.jQuery);
