/** What a way to pay that needs the provider right now says while the store is offline. */
export const OFFLINE_UNAVAILABLE = '离线时无法使用 / Not available offline';
