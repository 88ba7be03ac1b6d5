/*
 * wdk_declarations.h -- the part of four WDK headers that MinGW-w64 does not ship
 * (fltKernel.h, fwpsk.h, fwpmk.h, wdf.h), declared for a syntax check of the C the lab
 * writes. Everything else (ntifs.h, ntddk.h, wdm.h, wdmsec.h, ntstatus.h) comes from
 * MinGW-w64's own ddk/ headers, which are real Windows headers.
 *
 * Written by us from the learn.microsoft.com reference pages named beside each group
 * (DDI = https://learn.microsoft.com/windows-hardware/drivers/ddi/); never copied from
 * a WDK header. Rules for what is declared:
 *   - functions: the parameter and return types the DDI page's syntax block gives;
 *   - structures the lab fills in: every member, in the page's order;
 *   - structures the lab only passes on: left incomplete (the code never looks inside);
 *   - a union member the lab never uses may be left out when the union keeps a
 *     pointer-sized member (the size cannot change);
 *   - WDF routines are plain prototypes here; the real wdf.h reaches them through a
 *     function table, which changes nothing about the types the caller sees.
 * Included by the one-line shims in tests/c/include/ after the real ntifs.h or ntddk.h.
 */
#ifndef UNLOADLAB_WDK_DECLARATIONS_H
#define UNLOADLAB_WDK_DECLARATIONS_H

/* ===== Filter manager (fltKernel.h) ====================================================== */
/* Opaque objects: DDI fltkernel/ns-fltkernel-_flt_related_objects and the handle pages. */
typedef struct _FLT_FILTER *PFLT_FILTER;
typedef struct _FLT_INSTANCE *PFLT_INSTANCE;
typedef struct _FLT_PORT *PFLT_PORT;
typedef struct _FLT_CALLBACK_DATA *PFLT_CALLBACK_DATA;
typedef const struct _FLT_RELATED_OBJECTS *PCFLT_RELATED_OBJECTS;
typedef struct _FLT_CONTEXT_REGISTRATION FLT_CONTEXT_REGISTRATION;
#define FLTAPI NTAPI

/* DDI fltkernel/nc-fltkernel-pflt_filter_unload_callback */
typedef ULONG FLT_FILTER_UNLOAD_FLAGS;
#define FLTFL_FILTER_UNLOAD_MANDATORY 0x00000001
typedef NTSTATUS (FLTAPI *PFLT_FILTER_UNLOAD_CALLBACK)(FLT_FILTER_UNLOAD_FLAGS Flags);

/* DDI fltkernel/ns-fltkernel-_flt_registration (Flags, Version) */
typedef ULONG FLT_REGISTRATION_FLAGS;
#define FLTFL_REGISTRATION_DO_NOT_SUPPORT_SERVICE_STOP 0x00000001
#define FLTFL_REGISTRATION_SUPPORT_NPFS_MSFS           0x00000002
#define FLTFL_REGISTRATION_SUPPORT_DAX_VOLUME          0x00000004
#define FLTFL_REGISTRATION_SUPPORT_WCOS                0x00000008
#define FLT_REGISTRATION_VERSION 0x0203

/* DDI fltkernel/nc-fltkernel-pflt_instance_setup_callback,
 *     fltkernel/nc-fltkernel-pflt_instance_query_teardown_callback,
 *     fltkernel/nc-fltkernel-pflt_instance_teardown_callback */
typedef ULONG FLT_INSTANCE_SETUP_FLAGS;
typedef ULONG FLT_INSTANCE_QUERY_TEARDOWN_FLAGS;
typedef ULONG FLT_INSTANCE_TEARDOWN_FLAGS;
#define FLTFL_INSTANCE_TEARDOWN_MANUAL                  0x00000001
#define FLTFL_INSTANCE_TEARDOWN_FILTER_UNLOAD           0x00000002
#define FLTFL_INSTANCE_TEARDOWN_MANDATORY_FILTER_UNLOAD 0x00000004
#define FLTFL_INSTANCE_TEARDOWN_VOLUME_DISMOUNT         0x00000008
#define FLTFL_INSTANCE_TEARDOWN_INTERNAL_ERROR          0x00000010
/* DDI fltkernel/ne-fltkernel-_flt_filesystem_type: its first members (the lab tests none) */
typedef enum _FLT_FILESYSTEM_TYPE {
    FLT_FSTYPE_UNKNOWN,
    FLT_FSTYPE_RAW,
    FLT_FSTYPE_NTFS,
    FLT_FSTYPE_FAT
} FLT_FILESYSTEM_TYPE;
typedef NTSTATUS (FLTAPI *PFLT_INSTANCE_SETUP_CALLBACK)(
    PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_SETUP_FLAGS Flags, DEVICE_TYPE VolumeDeviceType,
    FLT_FILESYSTEM_TYPE VolumeFilesystemType);
typedef NTSTATUS (FLTAPI *PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK)(
    PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_QUERY_TEARDOWN_FLAGS Flags);
typedef VOID (FLTAPI *PFLT_INSTANCE_TEARDOWN_CALLBACK)(
    PCFLT_RELATED_OBJECTS FltObjects, FLT_INSTANCE_TEARDOWN_FLAGS Reason);

/* DDI fltkernel/nc-fltkernel-pflt_pre_operation_callback, ...-pflt_post_operation_callback */
typedef enum _FLT_PREOP_CALLBACK_STATUS {
    FLT_PREOP_SUCCESS_WITH_CALLBACK,
    FLT_PREOP_SUCCESS_NO_CALLBACK,
    FLT_PREOP_PENDING,
    FLT_PREOP_DISALLOW_FASTIO,
    FLT_PREOP_COMPLETE,
    FLT_PREOP_SYNCHRONIZE,
    FLT_PREOP_DISALLOW_FSFILTER_IO
} FLT_PREOP_CALLBACK_STATUS;
typedef enum _FLT_POSTOP_CALLBACK_STATUS {
    FLT_POSTOP_FINISHED_PROCESSING,
    FLT_POSTOP_MORE_PROCESSING_REQUIRED,
    FLT_POSTOP_DISALLOW_FSFILTER_IO
} FLT_POSTOP_CALLBACK_STATUS;
typedef ULONG FLT_POST_OPERATION_FLAGS;
typedef FLT_PREOP_CALLBACK_STATUS (FLTAPI *PFLT_PRE_OPERATION_CALLBACK)(
    PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID *CompletionContext);
typedef FLT_POSTOP_CALLBACK_STATUS (FLTAPI *PFLT_POST_OPERATION_CALLBACK)(
    PFLT_CALLBACK_DATA Data, PCFLT_RELATED_OBJECTS FltObjects, PVOID CompletionContext,
    FLT_POST_OPERATION_FLAGS Flags);

/* DDI fltkernel/ns-fltkernel-_flt_operation_registration */
typedef ULONG FLT_OPERATION_REGISTRATION_FLAGS;
#define IRP_MJ_OPERATION_END ((UCHAR)0x80)
typedef struct _FLT_OPERATION_REGISTRATION {
    UCHAR MajorFunction;
    FLT_OPERATION_REGISTRATION_FLAGS Flags;
    PFLT_PRE_OPERATION_CALLBACK PreOperation;
    PFLT_POST_OPERATION_CALLBACK PostOperation;
    PVOID Reserved1;
} FLT_OPERATION_REGISTRATION, *PFLT_OPERATION_REGISTRATION;

/* DDI fltkernel/ns-fltkernel-_flt_registration: every member in the page's order (the lab's
 * initialiser is positional). The name-provider, transaction and section callbacks are
 * never set by the lab; they are declared as pointers of the same size. */
typedef struct _FLT_REGISTRATION {
    USHORT Size;
    USHORT Version;
    FLT_REGISTRATION_FLAGS Flags;
    const FLT_CONTEXT_REGISTRATION *ContextRegistration;
    const FLT_OPERATION_REGISTRATION *OperationRegistration;
    PFLT_FILTER_UNLOAD_CALLBACK FilterUnloadCallback;
    PFLT_INSTANCE_SETUP_CALLBACK InstanceSetupCallback;
    PFLT_INSTANCE_QUERY_TEARDOWN_CALLBACK InstanceQueryTeardownCallback;
    PFLT_INSTANCE_TEARDOWN_CALLBACK InstanceTeardownStartCallback;
    PFLT_INSTANCE_TEARDOWN_CALLBACK InstanceTeardownCompleteCallback;
    PVOID GenerateFileNameCallback;
    PVOID NormalizeNameComponentCallback;
    PVOID NormalizeContextCleanupCallback;
    PVOID TransactionNotificationCallback;
    PVOID NormalizeNameComponentExCallback;
    PVOID SectionNotificationCallback;
} FLT_REGISTRATION, *PFLT_REGISTRATION;

/* DDI fltkernel/nc-fltkernel-pflt_connect_notify, ...-pflt_disconnect_notify,
 *     ...-pflt_message_notify */
typedef NTSTATUS (FLTAPI *PFLT_CONNECT_NOTIFY)(
    PFLT_PORT ClientPort, PVOID ServerPortCookie, PVOID ConnectionContext, ULONG SizeOfContext,
    PVOID *ConnectionPortCookie);
typedef VOID (FLTAPI *PFLT_DISCONNECT_NOTIFY)(PVOID ConnectionCookie);
typedef NTSTATUS (FLTAPI *PFLT_MESSAGE_NOTIFY)(
    PVOID PortCookie, PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
    ULONG OutputBufferLength, PULONG ReturnOutputBufferLength);

/* DDI fltkernel/nf-fltkernel-fltregisterfilter, -fltstartfiltering, -fltunregisterfilter,
 *     -fltunloadfilter, -fltcreatecommunicationport, -fltclosecommunicationport,
 *     -fltcloseclientport, -fltbuilddefaultsecuritydescriptor, -fltfreesecuritydescriptor,
 *     -fltcompletependedpreoperation, -fltobjectdereference */
NTSTATUS FLTAPI FltRegisterFilter(PDRIVER_OBJECT Driver, const FLT_REGISTRATION *Registration,
                                  PFLT_FILTER *RetFilter);
NTSTATUS FLTAPI FltStartFiltering(PFLT_FILTER Filter);
VOID FLTAPI FltUnregisterFilter(PFLT_FILTER Filter);
NTSTATUS FLTAPI FltUnloadFilter(PCUNICODE_STRING FilterName);
NTSTATUS FLTAPI FltCreateCommunicationPort(PFLT_FILTER Filter, PFLT_PORT *ServerPort,
                                           POBJECT_ATTRIBUTES ObjectAttributes, PVOID ServerPortCookie,
                                           PFLT_CONNECT_NOTIFY ConnectNotifyCallback,
                                           PFLT_DISCONNECT_NOTIFY DisconnectNotifyCallback,
                                           PFLT_MESSAGE_NOTIFY MessageNotifyCallback, LONG MaxConnections);
VOID FLTAPI FltCloseCommunicationPort(PFLT_PORT ServerPort);
VOID FLTAPI FltCloseClientPort(PFLT_FILTER Filter, PFLT_PORT *ClientPort);
NTSTATUS FLTAPI FltBuildDefaultSecurityDescriptor(PSECURITY_DESCRIPTOR *SecurityDescriptor,
                                                  ACCESS_MASK DesiredAccess);
VOID FLTAPI FltFreeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptor);
VOID FLTAPI FltCompletePendedPreOperation(PFLT_CALLBACK_DATA CallbackData,
                                          FLT_PREOP_CALLBACK_STATUS CallbackStatus, PVOID Context);
VOID FLTAPI FltObjectDereference(PVOID FltObject);
#define FLT_PORT_ALL_ACCESS (0x0001 | STANDARD_RIGHTS_ALL)  /* fltkernel: FLT_PORT_CONNECT | all */

/* --- what the minifilter's unload routine and InstanceTeardownStart use (issue 11) --- */
/* DDI fltkernel/ns-fltkernel-_flt_related_objects: every member, in the page's order (the lab
 * reads FltObjects->Instance) */
typedef struct _FLT_VOLUME *PFLT_VOLUME;
struct _FLT_RELATED_OBJECTS {
    USHORT Size;
    USHORT TransactionContext;
    PFLT_FILTER Filter;
    PFLT_VOLUME Volume;
    PFLT_INSTANCE Instance;
    PFILE_OBJECT FileObject;
    struct _KTRANSACTION *Transaction;  /* PKTRANSACTION on the page */
};
/* DDI fltkernel/ns-fltkernel-_flt_context_registration: every member, in the page's order;
 * context type values as in the page's ContextType list (ReactOS fltkernel.h agrees) */
typedef PVOID PFLT_CONTEXT;
typedef USHORT FLT_CONTEXT_TYPE;
typedef USHORT FLT_CONTEXT_REGISTRATION_FLAGS;
#define FLT_INSTANCE_CONTEXT 0x0002
#define FLT_STREAM_CONTEXT   0x0008
#define FLT_CONTEXT_END      0xffff
typedef VOID (FLTAPI *PFLT_CONTEXT_CLEANUP_CALLBACK)(PFLT_CONTEXT Context, FLT_CONTEXT_TYPE ContextType);
typedef PVOID (FLTAPI *PFLT_CONTEXT_ALLOCATE_CALLBACK)(POOL_TYPE PoolType, SIZE_T Size,
                                                      FLT_CONTEXT_TYPE ContextType);
typedef VOID (FLTAPI *PFLT_CONTEXT_FREE_CALLBACK)(PVOID Pool, FLT_CONTEXT_TYPE ContextType);
struct _FLT_CONTEXT_REGISTRATION {
    FLT_CONTEXT_TYPE ContextType;
    FLT_CONTEXT_REGISTRATION_FLAGS Flags;
    PFLT_CONTEXT_CLEANUP_CALLBACK ContextCleanupCallback;
    SIZE_T Size;
    ULONG PoolTag;
    PFLT_CONTEXT_ALLOCATE_CALLBACK ContextAllocateCallback;
    PFLT_CONTEXT_FREE_CALLBACK ContextFreeCallback;
    PVOID Reserved1;
};
/* DDI fltkernel/ns-fltkernel-_flt_callback_data_queue: opaque to drivers, passed on only */
typedef struct _FLT_CALLBACK_DATA_QUEUE *PFLT_CALLBACK_DATA_QUEUE;
/* DDI fltkernel/nf-fltkernel-fltgetinstancecontext, -fltreleasecontext, -fltcbdqdisable,
 *     -fltcbdqremovenextio, -fltsendmessage */
NTSTATUS FLTAPI FltGetInstanceContext(PFLT_INSTANCE Instance, PFLT_CONTEXT *Context);
/* DDI fltkernel/nf-fltkernel-fltgetstreamcontext, -fltallocatecontext, -fltsetinstancecontext */
NTSTATUS FLTAPI FltGetStreamContext(PFLT_INSTANCE Instance, PFILE_OBJECT FileObject, PFLT_CONTEXT *Context);
NTSTATUS FLTAPI FltAllocateContext(PFLT_FILTER Filter, FLT_CONTEXT_TYPE ContextType, SIZE_T ContextSize,
                                   POOL_TYPE PoolType, PFLT_CONTEXT *ReturnedContext);
typedef enum _FLT_SET_CONTEXT_OPERATION {
    FLT_SET_CONTEXT_REPLACE_IF_EXISTS,
    FLT_SET_CONTEXT_KEEP_IF_EXISTS
} FLT_SET_CONTEXT_OPERATION;
NTSTATUS FLTAPI FltSetInstanceContext(PFLT_INSTANCE Instance, FLT_SET_CONTEXT_OPERATION Operation,
                                      PFLT_CONTEXT NewContext, PFLT_CONTEXT *OldContext);
VOID FLTAPI FltReleaseContext(PFLT_CONTEXT Context);
VOID FLTAPI FltCbdqDisable(PFLT_CALLBACK_DATA_QUEUE Cbdq);
PFLT_CALLBACK_DATA FLTAPI FltCbdqRemoveNextIo(PFLT_CALLBACK_DATA_QUEUE Cbdq, PVOID PeekContext);
NTSTATUS FLTAPI FltSendMessage(PFLT_FILTER Filter, PFLT_PORT *ClientPort, PVOID SenderBuffer,
                               ULONG SenderBufferLength, PVOID ReplyBuffer, PULONG ReplyLength,
                               PLARGE_INTEGER Timeout);

/* ===== Windows Filtering Platform, callout side (fwpsk.h), version 0 ===================== */
/* ws2def.h, which the WDK's callout samples include before fwpsk.h */
#ifndef AF_UNSPEC
typedef USHORT ADDRESS_FAMILY;
#define AF_UNSPEC 0
#endif

/* Passed on, never looked into: DDI fwpsk/ns-fwpsk-fwps_incoming_values0,
 * -fwps_incoming_metadata_values0, -fwps_filter0, -fwps_classify_out0_ */
typedef struct FWPS_INCOMING_VALUES0_ FWPS_INCOMING_VALUES0;
typedef struct FWPS_INCOMING_METADATA_VALUES0_ FWPS_INCOMING_METADATA_VALUES0;
typedef struct FWPS_FILTER0_ FWPS_FILTER0;
typedef struct FWPS_CLASSIFY_OUT0_ FWPS_CLASSIFY_OUT0;

/* DDI fwpsk/ne-fwpsk-fwps_callout_notify_type */
typedef enum FWPS_CALLOUT_NOTIFY_TYPE_ {
    FWPS_CALLOUT_NOTIFY_ADD_FILTER,
    FWPS_CALLOUT_NOTIFY_DELETE_FILTER,
    FWPS_CALLOUT_NOTIFY_ADD_FILTER_POST_COMMIT,
    FWPS_CALLOUT_NOTIFY_TYPE_MAX
} FWPS_CALLOUT_NOTIFY_TYPE;

/* DDI fwpsk/nc-fwpsk-fwps_callout_classify_fn0: the filter is const here ... */
typedef void (NTAPI *FWPS_CALLOUT_CLASSIFY_FN0)(
    const FWPS_INCOMING_VALUES0 *inFixedValues, const FWPS_INCOMING_METADATA_VALUES0 *inMetaValues,
    void *layerData, const FWPS_FILTER0 *filter, UINT64 flowContext, FWPS_CLASSIFY_OUT0 *classifyOut);
/* DDI fwpsk/nc-fwpsk-fwps_callout_notify_fn0: ... and not const here (the function may set
 * filter->context). The samples' version-independent notify functions take a const filter;
 * with version 0 the page's type is what a compiler checks. */
typedef NTSTATUS (NTAPI *FWPS_CALLOUT_NOTIFY_FN0)(
    FWPS_CALLOUT_NOTIFY_TYPE notifyType, const GUID *filterKey, FWPS_FILTER0 *filter);
/* DDI fwpsk/nc-fwpsk-fwps_callout_flow_delete_notify_fn0 */
typedef void (NTAPI *FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0)(UINT16 layerId, UINT32 calloutId,
                                                         UINT64 flowContext);

/* DDI fwpsk/ns-fwpsk-fwps_callout0_ */
typedef struct FWPS_CALLOUT0_ {
    GUID calloutKey;
    UINT32 flags;
    FWPS_CALLOUT_CLASSIFY_FN0 classifyFn;
    FWPS_CALLOUT_NOTIFY_FN0 notifyFn;
    FWPS_CALLOUT_FLOW_DELETE_NOTIFY_FN0 flowDeleteFn;
} FWPS_CALLOUT0;

/* DDI fwpsk/nf-fwpsk-fwpscalloutregister0, -fwpscalloutunregisterbyid0,
 *     -fwpscalloutunregisterbykey0, -fwpsflowassociatecontext0, -fwpsflowremovecontext0,
 *     -fwpsinjectionhandlecreate0, -fwpsinjectionhandledestroy0 */
NTSTATUS NTAPI FwpsCalloutRegister0(void *deviceObject, const FWPS_CALLOUT0 *callout, UINT32 *calloutId);
NTSTATUS NTAPI FwpsCalloutUnregisterById0(const UINT32 calloutId);
NTSTATUS NTAPI FwpsCalloutUnregisterByKey0(const GUID *calloutKey);
NTSTATUS NTAPI FwpsFlowAssociateContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId, UINT64 flowContext);
NTSTATUS NTAPI FwpsFlowRemoveContext0(UINT64 flowId, UINT16 layerId, UINT32 calloutId);
NTSTATUS NTAPI FwpsInjectionHandleCreate0(ADDRESS_FAMILY addressFamily, UINT32 flags, HANDLE *injectionHandle);
NTSTATUS NTAPI FwpsInjectionHandleDestroy0(HANDLE injectionHandle);
/* The flag names are on the FwpsInjectionHandleCreate0 page; their values are not (a syntax
 * check needs only the names). */
#define FWPS_INJECTION_TYPE_STREAM    0x00000001
#define FWPS_INJECTION_TYPE_TRANSPORT 0x00000002
#define FWPS_INJECTION_TYPE_NETWORK   0x00000004
#define FWPS_INJECTION_TYPE_FORWARD   0x00000008

/* ===== Windows Filtering Platform, management side (fwpmk.h, fwpmtypes.h) ================= */
/* https://learn.microsoft.com/windows/win32/api/fwptypes/ : FWP_DATA_TYPE, FWP_BYTE_BLOB,
 * FWP_VALUE0 (union members the lab never sets are left out; uint64 keeps it pointer-sized) */
typedef enum FWP_DATA_TYPE_ {
    FWP_EMPTY = 0,
    FWP_UINT8,
    FWP_UINT16,
    FWP_UINT32,
    FWP_UINT64
} FWP_DATA_TYPE;
typedef struct FWP_BYTE_BLOB_ {
    UINT32 size;
    UINT8 *data;
} FWP_BYTE_BLOB;
typedef struct FWP_VALUE0_ {
    FWP_DATA_TYPE type;
    union {
        UINT8 uint8;
        UINT16 uint16;
        UINT32 uint32;
        UINT64 *uint64;
    };
} FWP_VALUE0;
/* fwptypes: FWP_ACTION_TYPE and the action values (FWPM_ACTION0 page lists them) */
typedef UINT32 FWP_ACTION_TYPE;
#define FWP_ACTION_FLAG_TERMINATING     0x00001000
#define FWP_ACTION_FLAG_NON_TERMINATING 0x00002000
#define FWP_ACTION_FLAG_CALLOUT         0x00004000
#define FWP_ACTION_BLOCK                (0x00000001 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_PERMIT               (0x00000002 | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_TERMINATING  (0x00000003 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_TERMINATING)
#define FWP_ACTION_CALLOUT_INSPECTION   (0x00000004 | FWP_ACTION_FLAG_CALLOUT | FWP_ACTION_FLAG_NON_TERMINATING)
#define FWP_ACTION_CALLOUT_UNKNOWN      (0x00000005 | FWP_ACTION_FLAG_CALLOUT)

/* win32 fwpmtypes/ns-fwpmtypes-fwpm_display_data0, -fwpm_action0, -fwpm_filter_condition0
 * (passed as a NULL pointer only, so left incomplete) */
typedef struct FWPM_DISPLAY_DATA0_ {
    wchar_t *name;
    wchar_t *description;
} FWPM_DISPLAY_DATA0;
typedef struct FWPM_ACTION0_ {
    FWP_ACTION_TYPE type;
    union {
        GUID filterType;
        GUID calloutKey;
    };
} FWPM_ACTION0;
typedef struct FWPM_FILTER_CONDITION0_ FWPM_FILTER_CONDITION0;

/* win32 fwpmtypes/ns-fwpmtypes-fwpm_filter0 (flags: FWPM_FILTER_FLAG_PERSISTENT, FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED) */
#define FWPM_FILTER_FLAG_NONE                            0x00000000
#define FWPM_FILTER_FLAG_PERSISTENT                      0x00000001
#define FWPM_FILTER_FLAG_PERMIT_IF_CALLOUT_UNREGISTERED  0x00000010
typedef struct FWPM_FILTER0_ {
    GUID filterKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    GUID layerKey;
    GUID subLayerKey;
    FWP_VALUE0 weight;
    UINT32 numFilterConditions;
    FWPM_FILTER_CONDITION0 *filterCondition;
    FWPM_ACTION0 action;
    union {
        UINT64 rawContext;
        GUID providerContextKey;
    };
    GUID *reserved;
    UINT64 filterId;
    FWP_VALUE0 effectiveWeight;
} FWPM_FILTER0;

/* win32 fwpmtypes/ns-fwpmtypes-fwpm_callout0 */
typedef struct FWPM_CALLOUT0_ {
    GUID calloutKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    GUID *providerKey;
    FWP_BYTE_BLOB providerData;
    GUID applicableLayer;
    UINT32 calloutId;
} FWPM_CALLOUT0;

/* win32 fwpmtypes/ns-fwpmtypes-fwpm_session0: DWORD processId and SID *sid on the page */
#define FWPM_SESSION_FLAG_DYNAMIC 0x00000001
typedef struct FWPM_SESSION0_ {
    GUID sessionKey;
    FWPM_DISPLAY_DATA0 displayData;
    UINT32 flags;
    UINT32 txnWaitTimeoutInMSec;
    ULONG processId;
    struct _SID *sid;
    wchar_t *username;
    BOOL kernelMode;
} FWPM_SESSION0;

/* rpcdce.h: the authentication service FwpmEngineOpen0 accepts */
#ifndef RPC_C_AUTHN_WINNT
#define RPC_C_AUTHN_WINNT 10
#endif
typedef struct _SEC_WINNT_AUTH_IDENTITY_W SEC_WINNT_AUTH_IDENTITY_W;

/* DDI fwpmk/nf-fwpmk-fwpmengineopen0, -fwpmengineclose0, -fwpmcalloutadd0,
 *     -fwpmcalloutdeletebykey0, -fwpmfilteradd0, -fwpmfilterdeletebykey0 */
NTSTATUS NTAPI FwpmEngineOpen0(const wchar_t *serverName, UINT32 authnService,
                               SEC_WINNT_AUTH_IDENTITY_W *authIdentity, const FWPM_SESSION0 *session,
                               HANDLE *engineHandle);
NTSTATUS NTAPI FwpmEngineClose0(HANDLE engineHandle);
NTSTATUS NTAPI FwpmCalloutAdd0(HANDLE engineHandle, const FWPM_CALLOUT0 *callout, PSECURITY_DESCRIPTOR sd,
                               UINT32 *id);
NTSTATUS NTAPI FwpmCalloutDeleteByKey0(HANDLE engineHandle, const GUID *key);
NTSTATUS NTAPI FwpmFilterAdd0(HANDLE engineHandle, const FWPM_FILTER0 *filter, PSECURITY_DESCRIPTOR sd,
                              UINT64 *id);
NTSTATUS NTAPI FwpmFilterDeleteByKey0(HANDLE engineHandle, const GUID *key);
/* DDI fwpmk/nf-fwpmk-fwpmtransactionbegin0, -fwpmtransactioncommit0, -fwpmtransactionabort0 */
NTSTATUS NTAPI FwpmTransactionBegin0(HANDLE engineHandle, UINT32 flags);
NTSTATUS NTAPI FwpmTransactionCommit0(HANDLE engineHandle);
NTSTATUS NTAPI FwpmTransactionAbort0(HANDLE engineHandle);

/* Filtering layer identifiers (NETWORK/management-filtering-layer-identifiers-) */
extern const GUID FWPM_LAYER_STREAM_V4;

/* ===== Kernel-Mode Driver Framework (wdf.h) ============================================== */
/* DDI wdfobject/ (WDF handles are distinct pointer types) */
typedef struct WDFDRIVER__ *WDFDRIVER;
typedef struct WDFDEVICE__ *WDFDEVICE;
typedef struct WDFDEVICE_INIT *PWDFDEVICE_INIT;
typedef struct _WDF_OBJECT_ATTRIBUTES *PWDF_OBJECT_ATTRIBUTES;
#define WDF_NO_EVENT_CALLBACK NULL
#define WDF_NO_OBJECT_ATTRIBUTES NULL
#define WDF_NO_HANDLE NULL

/* DDI wdfdriver/nc-wdfdriver-evt_wdf_driver_device_add, -evt_wdf_driver_unload */
typedef NTSTATUS EVT_WDF_DRIVER_DEVICE_ADD(WDFDRIVER Driver, PWDFDEVICE_INIT DeviceInit);
typedef EVT_WDF_DRIVER_DEVICE_ADD *PFN_WDF_DRIVER_DEVICE_ADD;
typedef VOID EVT_WDF_DRIVER_UNLOAD(WDFDRIVER Driver);
typedef EVT_WDF_DRIVER_UNLOAD *PFN_WDF_DRIVER_UNLOAD;

/* DDI wdfdriver/ne-wdfdriver-_wdf_driver_init_flags */
typedef enum _WDF_DRIVER_INIT_FLAGS {
    WdfDriverInitNonPnpDriver = 0x00000001,
    WdfDriverInitNoDispatchOverride = 0x00000002,
    WdfDriverInitCompanion = 0x00000010
} WDF_DRIVER_INIT_FLAGS;

/* DDI wdfdriver/ns-wdfdriver-_wdf_driver_config, -nf-wdfdriver-wdf_driver_config_init */
typedef struct _WDF_DRIVER_CONFIG {
    ULONG Size;
    PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd;
    PFN_WDF_DRIVER_UNLOAD EvtDriverUnload;
    ULONG DriverInitFlags;
    ULONG DriverPoolTag;
} WDF_DRIVER_CONFIG, *PWDF_DRIVER_CONFIG;
static inline VOID WDF_DRIVER_CONFIG_INIT(PWDF_DRIVER_CONFIG Config, PFN_WDF_DRIVER_DEVICE_ADD EvtDriverDeviceAdd)
{
    RtlZeroMemory(Config, sizeof(WDF_DRIVER_CONFIG));
    Config->Size = sizeof(WDF_DRIVER_CONFIG);
    Config->EvtDriverDeviceAdd = EvtDriverDeviceAdd;
}

/* DDI wdfdevice/nc-wdfdevice-evt_wdf_device_self_managed_io_cleanup and
 * wdfdevice/ns-wdfdevice-_wdf_pnppower_event_callbacks: every member in the page's order;
 * the callbacks the lab never sets are declared as pointers of the same size. */
typedef VOID EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP(WDFDEVICE Device);
typedef EVT_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP *PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP;
typedef struct _WDF_PNPPOWER_EVENT_CALLBACKS {
    ULONG Size;
    PVOID EvtDeviceD0Entry;
    PVOID EvtDeviceD0EntryPostInterruptsEnabled;
    PVOID EvtDeviceD0Exit;
    PVOID EvtDeviceD0ExitPreInterruptsDisabled;
    PVOID EvtDevicePrepareHardware;
    PVOID EvtDeviceReleaseHardware;
    PFN_WDF_DEVICE_SELF_MANAGED_IO_CLEANUP EvtDeviceSelfManagedIoCleanup;
    PVOID EvtDeviceSelfManagedIoFlush;
    PVOID EvtDeviceSelfManagedIoInit;
    PVOID EvtDeviceSelfManagedIoSuspend;
    PVOID EvtDeviceSelfManagedIoRestart;
    PVOID EvtDeviceSurpriseRemoval;
    PVOID EvtDeviceQueryRemove;
    PVOID EvtDeviceQueryStop;
    PVOID EvtDeviceUsageNotification;
    PVOID EvtDeviceRelationsQuery;
    PVOID EvtDeviceUsageNotificationEx;
} WDF_PNPPOWER_EVENT_CALLBACKS, *PWDF_PNPPOWER_EVENT_CALLBACKS;
/* DDI wdfdevice/nf-wdfdevice-wdf_pnppower_event_callbacks_init */
static inline VOID WDF_PNPPOWER_EVENT_CALLBACKS_INIT(PWDF_PNPPOWER_EVENT_CALLBACKS Callbacks)
{
    RtlZeroMemory(Callbacks, sizeof(WDF_PNPPOWER_EVENT_CALLBACKS));
    Callbacks->Size = sizeof(WDF_PNPPOWER_EVENT_CALLBACKS);
}

/* DDI wdfdriver/nf-wdfdriver-wdfdrivercreate, wdfcontrol/nf-wdfcontrol-wdfcontroldeviceinitallocate,
 *     wdfdevice/nf-wdfdevice-wdfdeviceinitfree, -wdfdevicecreate,
 *     wdfdevice/nf-wdfdevice-wdfdeviceinitsetpnppowereventcallbacks,
 *     wdfcontrol/nf-wdfcontrol-wdfcontrolfinishinitializing, wdfdevice/nf-wdfdevice-wdfdevicewdmgetdeviceobject */
NTSTATUS WdfDriverCreate(PDRIVER_OBJECT DriverObject, PCUNICODE_STRING RegistryPath,
                         PWDF_OBJECT_ATTRIBUTES DriverAttributes, PWDF_DRIVER_CONFIG DriverConfig,
                         WDFDRIVER *Driver);
PWDFDEVICE_INIT WdfControlDeviceInitAllocate(WDFDRIVER Driver, PCUNICODE_STRING SDDLString);
VOID WdfDeviceInitFree(PWDFDEVICE_INIT DeviceInit);
NTSTATUS WdfDeviceCreate(PWDFDEVICE_INIT *DeviceInit, PWDF_OBJECT_ATTRIBUTES DeviceAttributes,
                         WDFDEVICE *Device);
VOID WdfDeviceInitSetPnpPowerEventCallbacks(PWDFDEVICE_INIT DeviceInit,
                                            PWDF_PNPPOWER_EVENT_CALLBACKS PnpPowerEventCallbacks);
VOID WdfControlFinishInitializing(WDFDEVICE Device);
PDEVICE_OBJECT WdfDeviceWdmGetDeviceObject(WDFDEVICE Device);

#endif /* UNLOADLAB_WDK_DECLARATIONS_H */
