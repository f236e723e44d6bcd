package winsim

// How a modelled WMI method reports a failure: a non-zero ReturnValue, or
// (Quirks.FailuresAsCimException) a thrown CimException whose
// MSFT_WmiError carries the code in error_Code. Which one the licensing
// provider does is unverified; the scripts take both alike.

// cimException is a CimException thrown by Invoke-CimMethod.
type cimException struct {
	ErrorCode int64 // MSFT_WmiError.error_Code
}

// invokeMethod is Invoke-CimMethod on a modelled method that ended with
// code: the ReturnValue, or the exception it throws instead.
// Only failures (severity bit set, as every WBEM_E_ code) throw: an
// informational code such as LSERVER_I_NO_MORE_DATA is a result.
func (x *opContext) invokeMethod(method string, code int64) (int64, *cimException) {
	if code&0x80000000 != 0 && x.Host.Quirks.FailuresAsCimException {
		x.Note("%s threw a CimException (error_Code 0x%08X)", method, code)
		return 0, &cimException{ErrorCode: code}
	}
	return code, nil
}

// cimErrorResult mirrors Get-RdslCimErrorResult: the exception's code as
// the ReturnValue. (An exception without a code is thrown on; the model
// never throws one.)
func cimErrorResult(e *cimException) int64 { return e.ErrorCode }

// callMethod mirrors the scripts' call of a method that can fail:
//
//	try { $r = Invoke-CimMethod ... } catch { $r = Get-RdslCimErrorResult -ErrorRecord $_ }
//
// and returns $r.ReturnValue.
func (x *opContext) callMethod(method string, code int64) int64 {
	rv, thrown := x.invokeMethod(method, code)
	if thrown != nil {
		return cimErrorResult(thrown)
	}
	return rv
}
